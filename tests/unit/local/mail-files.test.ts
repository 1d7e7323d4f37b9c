import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeMailFolder } from '#local/mail-files';
import type { ReceivedEmail } from '#local/mailbox';

const email = (n: number, run: string): ReceivedEmail => ({
  messageId: `${run}-${n}`,
  from: 'onramp@onramp.local',
  replyTo: [],
  destination: { to: [`${run}@example.com`], cc: [], bcc: [] },
  subject: `Run ${run}, email ${n}`,
  body: { text: `Email ${n} of run ${run}` },
  at: 0,
});

let parent = '';
afterEach(async () => {
  await rm(parent, { recursive: true, force: true });
});

describe('writeMailFolder', () => {
  it('leaves one complete folder when two runs write it at once, and nothing beside it', async () => {
    // Prepare
    parent = await mkdtemp(join(tmpdir(), 'onramp-mail-'));
    const target = join(parent, 'mail');
    const runs = ['a', 'b', 'c'].map((run) => Array.from({ length: 30 }, (_, n) => email(n, run)));

    // Act
    await Promise.all(runs.map((emails) => writeMailFolder(target, emails)));

    // Assess: every file the index links exists, and all of them are one run's.
    const index = readFileSync(join(target, 'index.html'), 'utf8');
    const linked = [...index.matchAll(/href="([^"]+)"/g)].map((m) => decodeURI(m[1]!));
    expect(linked).toHaveLength(60);
    for (const file of linked) expect(existsSync(join(target, file))).toBe(true);
    const runsSeen = new Set([...index.matchAll(/Run (\w), email/g)].map((m) => m[1]));
    expect(runsSeen.size).toBe(1);
    // No other run's files mixed in: the folder holds the index and what it links, nothing more.
    expect(readdirSync(target).sort()).toEqual(['index.html', ...linked].sort());
    expect(readdirSync(parent)).toEqual(['mail']);
  });
});
