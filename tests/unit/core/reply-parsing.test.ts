import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { COMMENT_MAX_LENGTH } from '#core/pages/feedback';
import { autoReplyReason, readAnswer, visibleReply } from '#core/reply-parsing';

/** A reply fixture as the inbound function reads it: the text part, the headers, the subject. */
async function reply(name: string) {
  const parsed = await simpleParser(readFileSync(`tests/fixtures/mail/replies/${name}`));
  const header = (key: string) =>
    parsed.headerLines.find((h) => h.key === key)?.line.replace(/^[^:]*:\s*/, '');
  const visible = visibleReply(parsed.text ?? '');
  return { visible, answer: readAnswer(visible), autoReply: autoReplyReason(header, parsed.subject ?? '') };
}

describe('replies from real mail programs', () => {
  it.each([
    ['gmail-owner.eml', 4, 'solid week. The bank feeds were reconciled two days late, the rest was fine.'],
    [
      'outlook-partner.eml',
      3,
      'Too much at once for a first week: the receipts came in three batches and we had no access to the scanner until Thursday.\n\nThanks,\nAna',
    ],
    ['outlook-original-message.eml', 5, 'Everything delivered as agreed.'],
    [
      'apple-mail-partner.eml',
      4,
      'Clear tasks, and the acceptance criteria helped a lot. Could we get the supplier list before Monday next time?',
    ],
    [
      'signature-owner.eml',
      2,
      'The supplier invoices were entered against the wrong cost centres. Please re-check them before anything else.',
    ],
    ['iphone-partner.eml', 5, 'just right, thanks!'],
  ])(
    '%s: the rating and the comment, without the quoted check-in or the signature',
    async (file, rating, comment) => {
      const { answer, visible, autoReply } = await reply(file);

      expect(answer).toEqual({ ok: true, rating, comment });
      // The quoted check-in asks for a rating "from 1 (poor) to 5": none of it may be read.
      expect(visible).not.toMatch(/from 1 \(|wrote:|Original Message|Sent from my iPhone|Santos Advisory/);
      expect(autoReply).toBeUndefined();
    },
  );

  it('reads a rating off the scale as out of range', async () => {
    expect((await reply('rating-out-of-range.eml')).answer).toEqual({
      ok: false,
      reason: 'rating-out-of-range',
      given: 7,
    });
  });

  it('tells an out-of-office reply by its Auto-Submitted header, though its text reads "4/5"', async () => {
    const { autoReply, answer } = await reply('out-of-office.eml');

    expect(autoReply).toBe('auto-submitted');
    expect(answer.ok).toBe(true);
  });
});

describe('readAnswer', () => {
  it.each([
    ['4/5', 4, undefined],
    ['4 / 5 great', 4, 'great'],
    ['I would say 4 out of 5, mostly on time.', 4, 'I would say 4 out of 5, mostly on time.'],
    ['rating: 4\nfine', 4, 'fine'],
    ['Rating 4/5 - fine', 4, 'fine'],
    ['RATING IS 2', 2, undefined],
    ['3', 3, undefined],
    ['3.\nslow start', 3, 'slow start'],
    ['5!', 5, undefined],
    ['Hi,\n\nthe week was ok, 3/5 from me.', 3, 'Hi,\n\nthe week was ok, 3/5 from me.'],
  ])('%j → %i', (text, rating, comment) => {
    expect(readAnswer(text)).toEqual(
      comment === undefined ? { ok: true, rating } : { ok: true, rating, comment },
    );
  });

  it.each([
    ['2/3 of the invoices are in'],
    ['3 tasks were late'],
    ['4.5/5'],
    ['Thanks, all good'],
    [''],
    ['8/10'],
  ])('%j has no rating', (text) => {
    const answer = readAnswer(text);
    // "4.5/5" is not a whole number: the 5/5 in it must not be read either.
    expect(answer).toEqual({ ok: false, reason: 'no-rating' });
  });

  it.each([
    ['0', 0],
    ['6/5', 6],
    ['10 out of 5', 10],
    ['rating: 9', 9],
  ])('%j is out of range', (text, given) => {
    expect(readAnswer(text)).toEqual({ ok: false, reason: 'rating-out-of-range', given });
  });

  it('cuts a comment longer than feedback takes', () => {
    const answer = readAnswer(`4\n${'x'.repeat(COMMENT_MAX_LENGTH + 50)}`);

    expect(answer.ok && answer.comment?.length).toBe(COMMENT_MAX_LENGTH);
  });
});

describe('autoReplyReason', () => {
  const headers =
    (values: Record<string, string>) =>
    (name: string): string | undefined =>
      values[name];

  it.each([
    [{ 'auto-submitted': 'auto-generated' }, 'Re: Check-in', 'auto-submitted'],
    [{ 'x-autoreply': 'yes' }, 'Re: Check-in', 'x-autoreply'],
    [{ 'x-autorespond': 'Vacation' }, 'Re: Check-in', 'x-autorespond'],
    [{ precedence: 'bulk' }, 'Re: Check-in', 'precedence'],
    [{ 'return-path': '<>' }, 'Re: Check-in', 'null-sender'],
    [{}, 'Out of Office: Check-in, week 1', 'auto-reply-subject'],
    [{}, 'Automatic reply: Check-in, week 1', 'auto-reply-subject'],
    [{}, 'AW: Abwesenheitsnotiz', 'auto-reply-subject'],
  ])('%j %j → %s', (values, subject, reason) => {
    expect(autoReplyReason(headers(values), subject)).toBe(reason);
  });

  it('takes a person’s reply for one: Auto-Submitted: no, a subject that only mentions the office', () => {
    expect(autoReplyReason(headers({ 'auto-submitted': 'no' }), 'Re: Check-in, week 1')).toBeUndefined();
    expect(autoReplyReason(headers({}), 'Re: out of office hours support')).toBeUndefined();
  });
});
