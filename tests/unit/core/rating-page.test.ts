import { describe, expect, it } from 'vitest';
import type { Feedback } from '#core/feedback';
import { epochSeconds, type LinkClaims } from '#core/link-token';
import type { Onboarding } from '#core/onboarding';
import {
  type FeedbackPageContext,
  feedbackFormPage,
  feedbackRecordedPage,
  openFeedbackWeek,
  ratingLinkClaims,
  readFeedbackForm,
  refusedAnswerPage,
  valuesOf,
} from '#core/pages/feedback';
import { renderPage } from '#core/pages/layout';
import { linkProblemPage } from '#core/pages/notices';
import { planFixture, taskFixture, weekRecordFixture } from './fixtures.ts';

/**
 * The confirm page behind a one-click rating link (purpose `rate`): the feedback page with the
 * rating fixed by the link, the rest (comment, the owner's unfinished tasks) still to fill in.
 */

const HOSTILE = '<script>alert(1)</script>';
const plan = planFixture({
  title: `Books & "ledgers" ${HOSTILE}`,
  tasks: planFixture().tasks.map((t) =>
    t.id === 'receipts' ? taskFixture({ ...t, title: `Receipts ${HOSTILE}` }) : t,
  ),
});
const week = weekRecordFixture(plan, 1, 0);
const onboarding: Onboarding = {
  id: plan.id,
  status: 'active',
  plan,
  planDigest: 'digest',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
};
const recipientOf = (role: 'owner' | 'partner') => ({
  role,
  to: role === 'owner' ? [plan.owner.email] : plan.partner.emails,
});
const rateClaims = (role: 'owner' | 'partner', rating: number): LinkClaims =>
  ratingLinkClaims(plan.id, week, recipientOf(role), rating);

function contextOf(claims: LinkClaims): FeedbackPageContext {
  const open = openFeedbackWeek({ onboarding, week }, claims);
  if (!open.ok) throw new Error(`week 1 should be open, got ${open.page.title}`);
  return open.context;
}

describe('a rating link’s claims', () => {
  it('are the feedback link’s (week, side, first address, expiry when feedback is due) with purpose rate and the rating', () => {
    expect(rateClaims('partner', 3)).toEqual({
      onboardingId: plan.id,
      week: 1,
      role: 'partner',
      recipient: 'team@ledgerly.example',
      purpose: 'rate',
      rating: 3,
      expiresAt: epochSeconds(week.feedbackDueAt),
    });
  });

  it.each([0, 6, 2.5])('are not made for a rating of %s', (rating) => {
    expect(() => rateClaims('owner', rating)).toThrow(/No rating link/);
  });
});

describe('the confirm page of a rating link', () => {
  const ownerPage = feedbackFormPage(contextOf(rateClaims('owner', 4)), valuesOf(undefined));
  const partnerPage = feedbackFormPage(contextOf(rateClaims('partner', 1)), valuesOf(undefined));
  const owner = renderPage(ownerPage);
  const partner = renderPage(partnerPage);

  it('says the rating in its title, and asks nothing about it', () => {
    expect([ownerPage.status, ownerPage.title, partnerPage.title]).toEqual([
      200,
      'You rate week 1: 4/5',
      'You rate week 1: 1/5',
    ]);
    expect(owner).toContain(
      '<p>How good was the work Ledgerly Outsourcing delivered this week? Your rating: <strong>4 of 5</strong></p>',
    );
    expect(partner).toContain('Your rating: <strong>1 of 5 (too much or unclear)</strong>');
    expect(owner).not.toContain('name="rating"');
  });

  it('asks the owner which tasks are unfinished, and both for an optional comment', () => {
    expect(owner).toContain('name="unfinished" value="receipts"');
    expect(partner).not.toContain('name="unfinished"');
    expect([owner, partner].every((d) => d.includes('<textarea id="comment" name="comment"'))).toBe(true);
  });

  it('confirms with a button posting to its own address, without scripts', () => {
    expect(owner).toContain('<form method="post">');
    expect(owner).toContain('<button type="submit">Confirm my rating</button>');
    expect(owner).not.toMatch(/<script|<form[^>]*action=/);
  });

  it('binds a label to every control', () => {
    const ids = [...owner.matchAll(/<(?:input|textarea)\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
    const labelled = new Set([...owner.matchAll(/<label\b[^>]*\bfor="([^"]+)"/g)].map((m) => m[1]));

    expect(ids.filter((id) => !labelled.has(id))).toEqual([]);
  });

  it('escapes the plan and task titles', () => {
    expect(owner).not.toContain(HOSTILE);
    expect(owner).toContain('Books &amp; &quot;ledgers&quot; &lt;script&gt;');
    expect(owner).toContain('Receipts &lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('shows the side’s earlier answer, keeps its comment and tasks, and says confirming replaces it', () => {
    const earlier: Feedback = {
      week: 1,
      role: 'owner',
      rating: 2,
      comment: `late ${HOSTILE}`,
      unfinishedTaskIds: ['receipts'],
      source: 'link',
      from: plan.owner.email,
      at: '2026-12-10T15:00:00.000Z',
    };
    const document = renderPage(
      feedbackFormPage(contextOf(rateClaims('owner', 4)), valuesOf(earlier), { current: earlier }),
    );

    expect(document).toContain('with 2 of 5. Confirming replaces that answer.');
    expect(document).toContain('Your rating: <strong>4 of 5</strong>');
    expect(document).toMatch(/value="receipts" checked>/);
    expect(document).toContain('late &lt;script&gt;alert(1)&lt;/script&gt;</textarea>');
  });
});

describe('the confirm page’s form', () => {
  it('records the link’s rating, whatever rating the form sends', () => {
    const read = readFeedbackForm(
      new URLSearchParams([
        ['rating', '1'],
        ['comment', ' Good week. '],
        ['unfinished', 'receipts'],
      ]),
      rateClaims('owner', 4),
    );

    expect(read.ok && read.input).toEqual({
      onboardingId: plan.id,
      week: 1,
      role: 'owner',
      rating: 4,
      comment: 'Good week.',
      unfinishedTaskIds: ['receipts'],
      source: 'link',
      from: plan.owner.email,
    });
  });

  it('needs nothing but the confirm: an empty form records the rating alone', () => {
    const read = readFeedbackForm(new URLSearchParams(), rateClaims('partner', 5));

    expect(read.ok && read.input).toEqual({
      onboardingId: plan.id,
      week: 1,
      role: 'partner',
      rating: 5,
      unfinishedTaskIds: [],
      source: 'link',
      from: 'team@ledgerly.example',
    });
  });

  it('comes back as the confirm page with the problem at its field when recordFeedback refuses it', () => {
    const context = contextOf(rateClaims('partner', 3));
    const page = refusedAnswerPage(context, { rating: '3', comment: '', unfinished: ['receipts'] }, [
      { path: 'unfinishedTaskIds', message: 'only the owner reports unfinished work' },
    ]);

    expect([page.status, page.title]).toEqual([422, 'You rate week 1: 3/5']);
    expect(page.body).toContain('only the owner reports unfinished work');
  });

  it('ends on the recorded page with the rating', () => {
    const context = contextOf(rateClaims('partner', 3));
    const page = feedbackRecordedPage(context, {
      week: 1,
      role: 'partner',
      rating: 3,
      unfinishedTaskIds: [],
      source: 'link',
      from: 'team@ledgerly.example',
      at: '2026-12-10T15:00:00.000Z',
    });

    expect(page.title).toBe('Thank you: your answer is recorded');
    expect(page.body).toContain('<dd>3 of 5</dd>');
  });
});

describe('an expired rating link', () => {
  it('says which week and rating it was for', () => {
    const page = linkProblemPage({ ok: false, reason: 'expired', claims: rateClaims('owner', 4) });

    expect([page.status, page.title]).toEqual([410, 'This link has expired']);
    expect(page.body).toContain('the link to rate week 1 with 4 of 5');
  });
});
