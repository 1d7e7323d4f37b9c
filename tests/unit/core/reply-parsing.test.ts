import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { DUE_DILIGENCE_CHOICES } from '#core/due-diligence';
import { OWNER_CHOICES } from '#core/owner-decision';
import { COMMENT_MAX_LENGTH } from '#core/pages/feedback';
import { autoReplyReason, readAnswer, readDecision, visibleReply } from '#core/reply-parsing';

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

describe('readDecision: the owner’s reply to their question', () => {
  it.each([
    ['ABORT', 'abort'],
    ['abort', 'abort'],
    ['Continue.', 'continue'],
    ['CONTINUE!', 'continue'],
    ['extend', 'extend'],
    ['  Extend this stage  ', 'extend'],
    ['Abort the onboarding', 'abort'],
    ['abort please', 'abort'],
    ['Please abort.', 'abort'],
    ['OK, continue', 'continue'],
    ['Yes please, continue', 'continue'],
    ['*ABORT*', 'abort'],
    ['Abort - they never answered.', 'abort'],
    ['continue\n\nI talked to Ana: if next week is bad again, I will abort.', 'continue'],
    ['\n\n  Extend\r\nMaria', 'extend'],
    ['Abort the onboarding now, please', 'abort'],
    ['Continue: they caught up this week', 'continue'],
    ['Extend — one more week at this volume', 'extend'],
    ['Extend one more week', 'extend'],
    ['Abort immediately', 'abort'],
    ['Continue (see my notes below)', 'continue'],
    // A reason may say no; only a comment that takes the choice back does.
    ['Abort - they did not deliver', 'abort'],
    ["Abort, they don't answer", 'abort'],
    ['Abort: quality not acceptable', 'abort'],
    ['Abort. No more chances.', 'abort'],
    ['Extend, not yet ready', 'extend'],
    ['Continue, no problem', 'continue'],
    ['continue — no concerns', 'continue'],
    // A signature or a reason right below the word, with no blank line between.
    ['Continue\nDon', 'continue'],
    ['Abort\nThey did not deliver.', 'abort'],
  ] as const)('%j decides %s', (text, choice) => {
    expect(readDecision(text, OWNER_CHOICES)).toEqual({ ok: true, choice });
  });

  it.each([
    ['Continue or abort?', ['continue', 'abort']],
    ['abort, no wait: continue', ['continue', 'abort']],
    ['EXTEND or ABORT', ['extend', 'abort']],
  ] as const)('%j names more than one choice: ambiguous, nothing decided', (text, named) => {
    expect(readDecision(text, OWNER_CHOICES)).toEqual({
      ok: false,
      why: { reason: 'ambiguous', read: text, named },
    });
  });

  it('reads the whole first paragraph for another choice: a wrapped line is one thought', () => {
    // As an HTML-only reply arrives: its text wrapped at 80 columns.
    const wrapped = 'Continue, but if they miss another check-in next week we will have\nto abort.\n\nMaria';

    expect(readDecision(wrapped, OWNER_CHOICES)).toEqual({
      ok: false,
      why: {
        reason: 'ambiguous',
        read: 'Continue, but if they miss another check-in next week we will have to abort.',
        named: ['continue', 'abort'],
      },
    });
  });

  it.each([
    'I would not abort yet',
    "Don't abort",
    'No',
    'Thanks, will look at it tonight',
    'continued',
    'Continue?',
    'abort ?',
    '4/5',
    'Hi,\n\nabort',
    'Abort would be a mistake',
    'Continue is not an option for us',
    'Continue for now',
    'Abort— wait no, let me think',
    'Abort!?',
    'ABORT…?',
    'abort (?)',
    'Continue. Why did they miss the deadline?',
    'Continue.\nWhy did they miss the deadline?',
    'Continue, unless Ana objects',
    'Abort.\nNo, wait: let me call them first.',
    'Abort - just kidding',
    'Abort. Never mind',
    'Abort. Scratch that.',
    'Abort, if they miss Friday',
    'Abort - hold on, let me think',
    'Abort - nope',
    "Abort - don't",
    'Abort, or rather not',
  ])('%j is not a plain choice’s word, or is taken back: unclear, nothing decided', (text) => {
    expect(readDecision(text, OWNER_CHOICES)).toMatchObject({ ok: false, why: { reason: 'unclear' } });
  });

  it('quotes back at most the start of a long first line', () => {
    const reading = readDecision(`No idea ${'really '.repeat(40)}`, OWNER_CHOICES);

    expect(reading).toMatchObject({ ok: false, why: { reason: 'unclear' } });
    const read = (reading as { why: { read: string } }).why.read;
    expect(read.length).toBeLessThanOrEqual(120);
    expect(read.endsWith('…')).toBe(true);
  });

  it('an empty reply decides nothing', () => {
    expect(readDecision('', OWNER_CHOICES)).toEqual({ ok: false, why: { reason: 'empty' } });
    expect(readDecision(' \n \r\n ', OWNER_CHOICES)).toEqual({ ok: false, why: { reason: 'empty' } });
  });

  it('EXTEND before the kickoff is not one of the due diligence’s choices', () => {
    expect(readDecision('Extend', DUE_DILIGENCE_CHOICES)).toEqual({
      ok: false,
      why: { reason: 'not-offered', read: 'Extend', choice: 'extend' },
    });
    expect(readDecision('continue', DUE_DILIGENCE_CHOICES)).toEqual({ ok: true, choice: 'continue' });
  });

  describe('in replies from real mail programs, without the quoted question (which names every choice)', () => {
    const decision = async (file: string) => {
      const { visible } = await reply(file);
      return readDecision(visible, OWNER_CHOICES);
    };

    it.each([
      ['decision-abort-gmail.eml', 'abort'],
      ['decision-continue-outlook.eml', 'continue'],
      ['decision-extend-apple.eml', 'extend'],
    ] as const)('%s decides %s', async (file, choice) => {
      expect(await decision(file)).toEqual({ ok: true, choice });
    });

    it('an iPhone reply asking "Continue or abort?" is ambiguous', async () => {
      expect(await decision('decision-ambiguous.eml')).toMatchObject({
        ok: false,
        why: { reason: 'ambiguous', named: ['continue', 'abort'] },
      });
    });

    it('a reply with nothing above the quoted question is empty', async () => {
      expect(await decision('decision-quoted-only.eml')).toEqual({ ok: false, why: { reason: 'empty' } });
    });
  });
});
