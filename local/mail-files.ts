import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import escapeHtml from 'escape-html';
import type { ReceivedEmail } from './mailbox.ts';
import { printable } from './printable.ts';
import { LocalSetupError } from './setup-error.ts';

/**
 * Writes the mail the SES emulator received to a folder that outlives the run: one HTML and one
 * text file per email, its attachments beside them (the check-in's .ics), and an index page, so
 * every email of a local run can be read afterwards. The folder is built beside its place and
 * swapped in whole: two runs at once each leave a complete folder (the later one's), never a mix.
 */
export async function writeMailFolder(target: string, emails: readonly ReceivedEmail[]): Promise<string> {
  // This call's mark on the folders it builds and moves aside.
  const run = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const folder = `${target}.${run}.new`;
  try {
    await mkdir(folder, { recursive: true });
    await writeFiles(folder, emails);
    await swapIn(folder, target, run);
    return join(target, 'index.html');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOSPC')
      throw new LocalSetupError(`Cannot write the run's mail to ${target} (${code})`);
    throw error;
  } finally {
    // Swapped in, it is gone from here; otherwise what was written of it goes.
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * Puts the folder `built` in the place of `target`, moving aside whatever another run put there
 * meanwhile. If it cannot, the last folder moved aside goes back: the mail there before stays.
 */
async function swapIn(built: string, target: string, run: string): Promise<void> {
  const aside: string[] = [];
  try {
    for (let attempt = 0; ; attempt++) {
      const old = `${target}.${run}.old${attempt}`;
      try {
        await rename(target, old).then(
          () => aside.push(old),
          (error: NodeJS.ErrnoException) => {
            if (error.code !== 'ENOENT') throw error;
          },
        );
        await rename(built, target);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (attempt >= 4 || !['ENOTEMPTY', 'EEXIST', 'ENOENT'].includes(code ?? '')) {
          const last = aside.pop();
          if (last) await rename(last, target).catch(() => undefined);
          throw error;
        }
      }
    }
  } finally {
    await Promise.all(aside.map((old) => rm(old, { recursive: true, force: true })));
  }
}

async function writeFiles(folder: string, emails: readonly ReceivedEmail[]): Promise<void> {
  const rows: string[] = [];
  for (const [i, email] of emails.entries()) {
    const base = `${String(i + 1).padStart(3, '0')}-${email.subject
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 50)}`;
    await writeFile(
      join(folder, `${base}.html`),
      email.body.html ?? `<pre>${escapeHtml(email.body.text ?? '')}</pre>`,
    );
    const attached = (email.attachments ?? []).map((a) => a.filename ?? 'unnamed');
    const headers =
      `From: ${email.from}\nTo: ${email.destination.to.join(', ')}\nReply-To: ${email.replyTo.join(', ')}\nSubject: ${email.subject}\n` +
      `${attached.length > 0 ? `Attached: ${attached.join(', ')} (beside this file)\n` : ''}\n`;
    // A copy to read with `cat` too: what people wrote in it cannot act on the terminal.
    await writeFile(join(folder, `${base}.txt`), printable(headers + (email.body.text ?? '')));
    const files: string[] = [];
    for (const [n, attachment] of (email.attachments ?? []).entries()) {
      // The name comes from the email: keep only a safe file name out of it.
      const name = `${base}-${(attachment.filename ?? `attachment-${n + 1}`).replace(/[^A-Za-z0-9._-]+/g, '-')}`;
      await writeFile(join(folder, name), Buffer.from(attachment.content, 'base64'));
      files.push(`<a href="${encodeURI(name)}">${escapeHtml(attachment.filename ?? name)}</a>`);
    }
    rows.push(
      `<tr><td>${i + 1}</td><td>${escapeHtml(email.destination.to.join(', '))}</td>` +
        `<td><a href="${encodeURI(`${base}.html`)}">${escapeHtml(email.subject)}</a></td>` +
        `<td><a href="${encodeURI(`${base}.txt`)}">text</a></td><td>${files.join(' ')}</td></tr>`,
    );
  }
  await writeFile(
    join(folder, 'index.html'),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>onramp: local mail</title></head>' +
      '<body style="font-family:system-ui,sans-serif"><h1>Mail sent by the local run</h1>' +
      '<table><thead><tr><th>#</th><th>To</th><th>Subject</th><th></th><th>Attached</th></tr></thead><tbody>' +
      `${rows.join('')}</tbody></table></body></html>`,
  );
}
