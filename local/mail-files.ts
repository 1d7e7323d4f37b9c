import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import escapeHtml from 'escape-html';
import type { ReceivedEmail } from './mailbox.ts';
import { printable } from './printable.ts';

/**
 * Writes the mail the SES emulator received to a folder that outlives the run: one HTML and one
 * text file per email, its attachments beside them (the check-in's .ics), and an index page, so
 * every email of a local run can be read afterwards.
 */
export async function writeMailFolder(folder: string, emails: readonly ReceivedEmail[]): Promise<string> {
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
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
  const index = join(folder, 'index.html');
  await writeFile(
    index,
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>onramp: local mail</title></head>' +
      '<body style="font-family:system-ui,sans-serif"><h1>Mail sent by the local run</h1>' +
      '<table><thead><tr><th>#</th><th>To</th><th>Subject</th><th></th><th>Attached</th></tr></thead><tbody>' +
      `${rows.join('')}</tbody></table></body></html>`,
  );
  return index;
}
