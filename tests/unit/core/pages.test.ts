import { describe, expect, it } from 'vitest';
import type { Feedback } from '#core/feedback';
import { feedbackInputSchema } from '#core/feedback';
import { epochSeconds, type LinkClaims } from '#core/link-token';
import type { Onboarding } from '#core/onboarding';
import {
  COMMENT_MAX_LENGTH,
  type FeedbackPageContext,
  feedbackFormPage,
  feedbackLinkClaims,
  feedbackRecordedPage,
  openFeedbackWeek,
  readFeedbackForm,
  refusedAnswerPage,
  valuesOf,
} from '#core/pages/feedback';
import { PAGE_HEADERS, type Page, renderPage } from '#core/pages/layout';
import { errorPage, linkProblemPage, notFoundPage } from '#core/pages/notices';
import { planFixture, taskFixture, weekRecordFixture } from './fixtures.ts';

const HOSTILE = '<script>alert(1)</script>';
const plan = planFixture({
  title: `Books & "ledgers" ${HOSTILE}`,
  tasks: planFixture().tasks.map((t) =>
    t.id === 'receipts' ? taskFixture({ ...t, title: `Receipts ${HOSTILE}` }) : t,
  ),
});
// Week 1: bank feeds (recurring, so never "unfinished") and receipts.
const week = weekRecordFixture(plan, 1, 0);
const onboarding: Onboarding = {
  id: plan.id,
  status: 'active',
  plan,
  planDigest: 'digest',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
};
const claimsOf = (role: 'owner' | 'partner'): LinkClaims => ({
  onboardingId: plan.id,
  week: 1,
  role,
  recipient: role === 'owner' ? plan.owner.email : plan.partner.emails[0]!,
  purpose: 'feedback',
  expiresAt: epochSeconds(week.feedbackDueAt),
});

function contextOf(role: 'owner' | 'partner'): FeedbackPageContext {
  const open = openFeedbackWeek({ onboarding, week }, claimsOf(role));
  if (!open.ok) throw new Error(`week 1 should be open, got ${open.page.title}`);
  return open.context;
}

function html(page: Page): string {
  return renderPage(page);
}

/** Every form control's id, and whether a <label for> names it. */
function unlabelledControls(document: string): string[] {
  const ids = [...document.matchAll(/<(?:input|textarea|select)\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]!);
  const labelled = new Set([...document.matchAll(/<label\b[^>]*\bfor="([^"]+)"/g)].map((m) => m[1]!));
  return ids.filter((id) => !labelled.has(id));
}

const answer: Feedback = {
  week: 1,
  role: 'owner',
  rating: 2,
  comment: `"><img src=x onerror=alert(1)> & ${HOSTILE}`,
  unfinishedTaskIds: ['receipts'],
  source: 'link',
  from: plan.owner.email,
  at: '2026-12-10T15:00:00.000Z',
};

describe('the feedback link', () => {
  it('is signed for the week and side, the first address the email goes to, until the feedback is due', () => {
    const partner = { role: 'partner' as const, to: plan.partner.emails };

    expect(feedbackLinkClaims(plan.id, week, partner)).toEqual({
      onboardingId: plan.id,
      week: 1,
      role: 'partner',
      recipient: 'team@ledgerly.example',
      purpose: 'feedback',
      expiresAt: Date.parse(week.feedbackDueAt) / 1000,
    });
  });
});

describe('whether a link’s week takes answers', () => {
  it('shows a 404 page for an onboarding that is not there', () => {
    const open = openFeedbackWeek({ onboarding: undefined, week: undefined }, claimsOf('owner'));

    expect(open.ok ? 'open' : open.page.status).toBe(404);
  });

  it('says the week is already decided, when, on the reader’s clock, without the decision', () => {
    const decided = {
      ...week,
      decision: { outcome: 'finish' as const, reason: 'the owner rated the work 2/5: secret' },
    };
    const open = openFeedbackWeek({ onboarding, week: decided }, claimsOf('partner'));

    expect(open.ok).toBe(false);
    const page = (open as { page: Page }).page;
    expect(page.status).toBe(410);
    expect(page.title).toBe('Week 1 is already decided');
    expect(page.body).toMatch(/closed on Monday, 14 December 2026 at 22:00/);
    expect(page.body).not.toContain('secret');
  });

  it('takes no answers once the onboarding failed', () => {
    const open = openFeedbackWeek(
      { onboarding: { ...onboarding, status: 'failed' }, week },
      claimsOf('owner'),
    );

    expect(open.ok ? 'open' : [open.page.status, open.page.title]).toEqual([
      410,
      'This onboarding has ended',
    ]);
  });

  it('offers the owner the week’s tasks that can be unfinished, and the partner none', () => {
    expect(contextOf('owner').tasks).toEqual([{ id: 'receipts', title: `Receipts ${HOSTILE}` }]);
    expect(contextOf('partner').tasks).toEqual([]);
  });
});

describe('the feedback page', () => {
  const ownerPage = feedbackFormPage(contextOf('owner'), valuesOf(undefined));
  const partnerPage = feedbackFormPage(contextOf('partner'), valuesOf(undefined));

  it('is a complete, accessible HTML5 document with one h1 and no scripts or outside assets', () => {
    const document = html(ownerPage);

    expect(document).toMatch(/^<!doctype html>\n<html lang="en"><head><meta charset="utf-8">/);
    expect(document).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(document).toContain('<title>Week 1: how did it go? · onramp</title>');
    expect(document.match(/<h1>/g)).toHaveLength(1);
    expect(document).not.toMatch(/<script|<link |<img|src=|https?:\/\//);
  });

  it('asks for a rating from 1 to 5 with labelled radio buttons in a fieldset with a legend', () => {
    const document = html(ownerPage);

    expect(document).toContain(
      '<legend>How good was the work Ledgerly Outsourcing delivered this week?</legend>',
    );
    expect(
      [...document.matchAll(/type="radio" id="rating-(\d)" name="rating" value="(\d)"/g)].map((m) => m[2]),
    ).toEqual(['1', '2', '3', '4', '5']);
    expect(document).toMatch(/1 \(poor\)<\/label>/);
    expect(document).toMatch(/5 \(excellent\)<\/label>/);
  });

  it('binds a label to every control', () => {
    expect(unlabelledControls(html(ownerPage))).toEqual([]);
    expect(unlabelledControls(html(partnerPage))).toEqual([]);
  });

  it('posts to its own address, with an optional comment limited as the answer is', () => {
    const document = html(ownerPage);

    expect(document).toContain('<form method="post">');
    expect(document).not.toMatch(/<form[^>]*action=/);
    expect(document).toMatch(
      new RegExp(`<textarea id="comment" name="comment" rows="5" maxlength="${COMMENT_MAX_LENGTH}"`),
    );
    expect(COMMENT_MAX_LENGTH).toBe(2000);
    expect(document).toContain('<button type="submit">Send my answer</button>');
  });

  it('lets the owner tick unfinished tasks, and asks the partner how manageable the week was instead', () => {
    expect(html(ownerPage)).toContain('name="unfinished" value="receipts"');
    expect(html(partnerPage)).not.toContain('name="unfinished"');
    expect(html(partnerPage)).toContain('<legend>How clear and manageable was this week?</legend>');
  });

  it('escapes a hostile plan title and task title', () => {
    const document = html(ownerPage);

    expect(document).not.toContain(HOSTILE);
    expect(document).toContain('Receipts &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(document).toContain('Books &amp; &quot;ledgers&quot; &lt;script&gt;');
  });

  it('shows the side’s current answer, ticked and escaped, and says a new one replaces it', () => {
    const document = html(feedbackFormPage(contextOf('owner'), valuesOf(answer), { current: answer }));

    expect(document).toContain('id="rating-2" name="rating" value="2" checked>');
    expect(document).toMatch(/value="receipts" checked>/);
    expect(document).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &lt;script&gt;');
    expect(document).not.toContain('<img');
    expect(document).toContain('Sending the form again replaces that answer.');
  });
});

describe('reading the sent form', () => {
  it('makes the answer recordFeedback takes: from the link, by its recipient', () => {
    const form = new URLSearchParams([
      ['rating', '4'],
      ['comment', '  Clear week.  '],
      ['unfinished', 'receipts'],
    ]);
    const read = readFeedbackForm(form, claimsOf('owner'));

    expect(read.ok && read.input).toEqual({
      onboardingId: plan.id,
      week: 1,
      role: 'owner',
      rating: 4,
      comment: 'Clear week.',
      unfinishedTaskIds: ['receipts'],
      source: 'link',
      from: 'maria@santos-advisory.example',
    });
    expect(read.ok && feedbackInputSchema.safeParse(read.input).success).toBe(true);
  });

  it('leaves out an empty comment', () => {
    const read = readFeedbackForm(new URLSearchParams({ rating: '5', comment: '   ' }), claimsOf('partner'));

    expect(read.ok && read.input).toMatchObject({ rating: 5, unfinishedTaskIds: [] });
    expect(read.ok && 'comment' in read.input).toBe(false);
  });

  it.each([
    ['no rating', {}],
    ['a rating of 0', { rating: '0' }],
    ['a rating of 6', { rating: '6' }],
    ['a rating of 4.5', { rating: '4.5' }],
  ])('asks for a rating when the form has %s, keeping what was typed', (_, fields) => {
    const read = readFeedbackForm(new URLSearchParams({ ...fields, comment: 'kept' }), claimsOf('owner'));

    expect(read).toMatchObject({
      ok: false,
      values: { comment: 'kept' },
      errors: { rating: ['Choose a rating from 1 to 5.'] },
    });
  });

  it('refuses a comment over the limit, counting line breaks as the browser does', () => {
    const fits = 'a\r\n'.repeat(COMMENT_MAX_LENGTH / 2).trim();
    const tooLong = 'a'.repeat(COMMENT_MAX_LENGTH + 1);

    expect(readFeedbackForm(new URLSearchParams({ rating: '3', comment: fits }), claimsOf('owner')).ok).toBe(
      true,
    );
    expect(
      readFeedbackForm(new URLSearchParams({ rating: '3', comment: tooLong }), claimsOf('owner')),
    ).toMatchObject({
      ok: false,
      errors: {
        comment: [`Shorten the comment to 2000 characters or fewer; it has ${COMMENT_MAX_LENGTH + 1}.`],
      },
    });
  });

  it('sends the form back with a 422, the problems listed and at their fields, the answer kept', () => {
    const read = readFeedbackForm(new URLSearchParams({ comment: HOSTILE }), claimsOf('owner'));
    if (read.ok) throw new Error('expected problems');
    const page = feedbackFormPage(contextOf('owner'), read.values, { errors: read.errors });
    const document = html(page);

    expect(page.status).toBe(422);
    expect(document).toContain('<div class="problems" role="alert">');
    expect(document).toContain('<p class="error" id="rating-error">Choose a rating from 1 to 5.</p>');
    expect(document).toContain('<fieldset aria-describedby="rating-error">');
    expect(document).toContain('&lt;script&gt;alert(1)&lt;/script&gt;</textarea>');
  });
});

describe('an answer recordFeedback refused', () => {
  it('shows the week as decided when the gate closed it meanwhile', () => {
    const page = refusedAnswerPage(contextOf('owner'), valuesOf(answer), [
      { path: 'week', message: 'week 1 is closed: its check-in was decided (hold)' },
    ]);

    expect([page.status, page.title]).toEqual([410, 'Week 1 is already decided']);
    expect(page.body).not.toContain('hold');
  });

  it('puts a problem with the unfinished tasks at that field, escaped', () => {
    const page = refusedAnswerPage(contextOf('owner'), valuesOf(answer), [
      { path: 'unfinishedTaskIds[0]', message: `"${HOSTILE}" is not a task of week 1` },
    ]);

    expect(page.status).toBe(422);
    expect(page.body).toContain(
      '<p class="error" id="unfinished-error">&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; is not a task of week 1</p>',
    );
  });
});

describe('the page after an answer', () => {
  it('echoes what was recorded, escaped, with the tasks by title and when it counts', () => {
    const page = feedbackRecordedPage(contextOf('owner'), answer);
    const document = html(page);

    expect(page.status).toBe(200);
    expect(document).toContain('<dd>2 of 5</dd>');
    expect(document).toContain(
      '<dt>Tasks not finished</dt><dd>Receipts &lt;script&gt;alert(1)&lt;/script&gt;</dd>',
    );
    expect(document).toContain('<dd>&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &lt;script&gt;');
    expect(document).not.toContain('<img');
    expect(document).toMatch(/counts when the week is decided, on Monday, 14 December 2026 at 15:00/);
  });
});

describe('the pages of a refused link', () => {
  it('says an expired link has expired, and which week it was for', () => {
    const page = linkProblemPage({ ok: false, reason: 'expired', claims: claimsOf('owner') });

    expect([page.status, page.title]).toEqual([410, 'This link has expired']);
    expect(page.body).toContain('the check-in of week 1');
  });

  it.each(['malformed', 'forged', 'wrong-purpose'] as const)(
    'says a %s link is not valid, and nothing more',
    (reason) => {
      const page = linkProblemPage({ ok: false, reason });

      expect([page.status, page.title]).toEqual([400, 'This link is not valid']);
      expect(page.body).not.toMatch(/forged|malformed|purpose|signature/i);
    },
  );

  it('shows only the request id when something unexpected failed', () => {
    const page = errorPage('req-<1>');

    expect([page.status, page.title]).toEqual([500, 'Something went wrong']);
    expect(page.body).toContain('<code>req-&lt;1&gt;</code>');
  });

  it('has a 404 page for an onboarding that is gone', () => {
    expect(notFoundPage().status).toBe(404);
  });
});

describe('the headers of every page', () => {
  it('forbid scripts, framing, other origins, sniffing, referrers and caching', () => {
    expect(PAGE_HEADERS).toEqual({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
  });
});
