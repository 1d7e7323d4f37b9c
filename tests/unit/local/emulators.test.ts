import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASL_PATH } from '#local/definition';
import { startEmulatorHost } from '#local/emulators';

describe('the emulator process', () => {
  it('listens, then finds the state machine definition valid', async () => {
    const host = await startEmulatorHost(ASL_PATH);
    try {
      expect(host.dynamodb).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(host.ses).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await expect(host.definitionValidated).resolves.toBeUndefined();
    } finally {
      await host.close();
    }
  });

  it('refuses a definition Step Functions would refuse, naming the problem', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'onramp-asl-')), 'broken.asl.json');
    writeFileSync(
      file,
      JSON.stringify({ StartAt: 'Missing', States: { Only: { Type: 'Pass', Next: 'Nowhere' } } }),
    );
    const host = await startEmulatorHost(file);
    try {
      await expect(host.definitionValidated).rejects.toThrow(
        new RegExp(`^The state machine definition ${file} is invalid:\\n.*Nowhere`, 's'),
      );
    } finally {
      await host.close();
    }
  });
});
