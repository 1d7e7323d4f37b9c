import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ReceivedEmail } from '#local/mailbox';

/** Which step of writing the folder fails, and how. */
const failing: { step?: 'write' | 'swap' } = {};

vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  const failure = (code: string) => Object.assign(new Error(code), { code });
  return {
    ...fs,
    writeFile: (async (...args: Parameters<typeof fs.writeFile>) => {
      if (failing.step === 'write') throw failure('ENOSPC');
      return fs.writeFile(...args);
    }) as typeof fs.writeFile,
    rename: (async (from: string, to: string) => {
      if (failing.step === 'swap' && String(from).endsWith('.new')) throw failure('EPERM');
      return fs.rename(from, to);
    }) as typeof fs.rename,
  };
});

const { writeMailFolder } = await import('#local/mail-files');

const email: ReceivedEmail = {
  messageId: 'm-1',
  from: 'onramp@onramp.local',
  replyTo: [],
  destination: { to: ['maria@santos-advisory.example'], cc: [], bcc: [] },
  subject: 'Kickoff',
  body: { text: 'Hello' },
  at: 0,
};

let parent = '';
afterEach(async () => {
  failing.step = undefined;
  await rm(parent, { recursive: true, force: true });
});

describe('writeMailFolder when the disk refuses', () => {
  it.each(['write', 'swap'] as const)(
    'keeps the mail there before and leaves nothing half-written beside it (the %s fails)',
    async (step) => {
      // Prepare: a first run's mail.
      parent = await mkdtemp(join(tmpdir(), 'onramp-mail-'));
      const target = join(parent, 'mail');
      await writeMailFolder(target, [email]);
      failing.step = step;

      // Act
      await expect(
        writeMailFolder(target, [{ ...email, messageId: 'm-2', subject: 'Other' }]),
      ).rejects.toThrow(/^Cannot write the run's mail to .* \((ENOSPC|EPERM)\)$/);

      // Assess
      expect(readdirSync(parent)).toEqual(['mail']);
      expect(readFileSync(join(target, 'index.html'), 'utf8')).toContain('Kickoff');
    },
  );
});
