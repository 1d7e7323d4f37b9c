import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { EmailRecord } from '#core/onboarding';
import { autoReplyReason, readAnswer, visibleReply } from '#core/reply-parsing';
import type { ReceivedEmail } from '#local/mailbox';
import { ratingLinkIn, replyMessage } from '#local/personas';

const REPLY_TO = `plans+${'b'.repeat(32)}@onramp.local`;
const link = (n: number) => `http://127.0.0.1:4000/links/token-${n}`;

const checkin: ReceivedEmail = {
  messageId: '0100018d-checkin-partner',
  from: 'onramp@onramp.local',
  replyTo: [REPLY_TO],
  destination: { to: ['team@ledgerly.example'], cc: [], bcc: [] },
  subject: 'Check-in, week 3: Bookkeeping handover to Ledgerly',
  body: {
    text: [
      'Hello Ledgerly,',
      '',
      'How clear and manageable was this week, from 1 (too much or unclear) to 5 (just right)?',
      '',
      ...[1, 2, 3, 4, 5].flatMap((n) => [
        `Rate ${n} of 5${n === 1 ? ' (too much or unclear)' : n === 5 ? ' (just right)' : ''}:`,
        link(n),
      ]),
    ].join('\n'),
  },
  at: 0,
};
const record: EmailRecord = {
  kind: 'checkin',
  week: 3,
  role: 'partner',
  to: ['team@ledgerly.example'],
  subject: checkin.subject,
  messageId: checkin.messageId,
  sentAt: '2026-12-17T14:00:00.000Z',
};
const partner = { address: 'team@ledgerly.example', name: 'Ledgerly', timeZone: 'Europe/Lisbon' };
const at = new Date('2026-12-17T14:00:00.000Z');

describe('the rating link a person clicks', () => {
  it('is the one under "Rate N of 5" in the check-in’s text, whatever the scale’s words', () => {
    expect([1, 3, 5].map((n) => ratingLinkIn(checkin, n))).toEqual([link(1), link(3), link(5)]);
  });

  it('is missing from an email without rating links, and says which', () => {
    expect(() => ratingLinkIn({ ...checkin, body: { text: 'Hello' } }, 4)).toThrow(
      'No "Rate 4 of 5" link in "Check-in, week 3: Bookkeeping handover to Ledgerly"',
    );
  });
});

describe('a reply a person writes to a check-in', () => {
  it('goes to the check-in’s Reply-To from the person, on its thread, as Gmail lays it out', async () => {
    const raw = replyMessage({ email: checkin, record }, partner, { rating: 4, comment: 'Fine week.' }, at);
    const parsed = await simpleParser(Buffer.from(raw, 'utf8'));

    expect(parsed.from?.value).toEqual([{ name: 'Ledgerly', address: 'team@ledgerly.example' }]);
    expect(parsed.to).toMatchObject({ value: [{ address: REPLY_TO }] });
    expect(parsed.subject).toBe('Re: Check-in, week 3: Bookkeeping handover to Ledgerly');
    expect(parsed.inReplyTo).toBe('<0100018d-checkin-partner@email.amazonses.com>');
    expect(parsed.date?.toISOString()).toBe(at.toISOString());
    expect(parsed.text).toContain(
      'On Thu, 17 Dec 2026 at 14:00, onramp <onramp@onramp.local> wrote:\n\n> Hello Ledgerly,\n>\n> How clear',
    );
  });

  it('reads back as the rating and the comment alone, and not as an auto-reply', async () => {
    const raw = replyMessage(
      { email: checkin, record },
      partner,
      { rating: 3, comment: 'A new colleague took over; we check every entry.' },
      at,
    );
    const parsed = await simpleParser(Buffer.from(raw, 'utf8'));
    const header = (name: string) =>
      parsed.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]*:\s*/, '');

    expect(readAnswer(visibleReply(parsed.text ?? ''))).toEqual({
      ok: true,
      rating: 3,
      comment: 'A new colleague took over; we check every entry.',
    });
    expect(autoReplyReason(header, parsed.subject ?? '')).toBeUndefined();
  });

  it('encodes a name with accents, and keeps the comment’s own characters', async () => {
    const raw = replyMessage(
      { email: checkin, record },
      { ...partner, name: 'Équipe Ledgerly' },
      { rating: 5, comment: 'Très bien — merci !' },
      at,
    );
    const parsed = await simpleParser(Buffer.from(raw, 'utf8'));

    expect(raw).toMatch(/^From: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <team@ledgerly\.example>\r$/m);
    expect(parsed.from?.value[0]?.name).toBe('Équipe Ledgerly');
    expect(readAnswer(visibleReply(parsed.text ?? ''))).toEqual({
      ok: true,
      rating: 5,
      comment: 'Très bien — merci !',
    });
  });
});
