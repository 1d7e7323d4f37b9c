import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
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

  it('says so when the system kills it, as nothing else would tell that the onboardings are gone', async () => {
    const host = await startEmulatorHost(ASL_PATH);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      process.kill(host.pid, 'SIGKILL');

      const deadline = Date.now() + 10_000;
      while (error.mock.calls.length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(String(error.mock.calls[0]?.[0])).toMatch(
        /^The local emulators stopped unexpectedly \(code null, signal SIGKILL\): the onboardings in them are gone/,
      );
    } finally {
      await host.close();
      error.mockRestore();
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
