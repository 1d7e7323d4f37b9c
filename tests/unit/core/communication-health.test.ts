import { describe, expect, it } from 'vitest';
import { communicationHealth, daysAgo, longestSilence, silentSides } from '#core/communication-health';
import type { Feedback } from '#core/feedback';
import type { Onboarding } from '#core/onboarding';
import { onboardingStatusView } from '#core/onboarding-status';
import { planFixture, weekRecordFixture } from './fixtures.ts';

const plan = planFixture({ gate: { ...planFixture().gate, silenceLimitDays: 7 } });
const weeks = [1, 2, 3].map((week) => weekRecordFixture(plan, week, 0));
const [week1, week2, week3] = weeks as [(typeof weeks)[0], (typeof weeks)[0], (typeof weeks)[0]];

function answer(role: Feedback['role'], week: number, at: string): Feedback {
  return { week, role, rating: 4, unfinishedTaskIds: [], source: 'link', at };
}

const DAY = 24 * 3600 * 1000;
const plus = (instant: string, days: number) => new Date(Date.parse(instant) + days * DAY).toISOString();

describe('communicationHealth', () => {
  it('is silent about nobody before the first check-in asked anyone', () => {
    const health = communicationHealth(plan, weeks, [], plus(week1.checkinAt, -1));

    expect(health).toMatchObject({
      limitDays: 7,
      daysSinceTwoWayContact: null,
      atRisk: false,
      owner: { lastHeardAt: null, silentSince: null, silentDays: null, atRisk: false },
      partner: { lastHeardAt: null, silentSince: null, silentDays: null, atRisk: false },
    });
  });

  it('counts a side that never answered from the first check-in that asked it', () => {
    const now = plus(week1.checkinAt, 8);
    const health = communicationHealth(plan, weeks, [answer('owner', 1, week1.checkinAt)], now);

    expect(health.partner).toEqual({
      lastHeardAt: null,
      silentSince: week1.checkinAt,
      silentDays: 8,
      atRisk: true,
    });
    expect(health.owner).toMatchObject({ lastHeardAt: week1.checkinAt, silentDays: 8, atRisk: true });
  });

  it('takes each side’s latest answer, of any week and any source, and the longer silence as the two-way contact', () => {
    const feedback = [
      answer('owner', 1, week1.checkinAt),
      { ...answer('partner', 1, plus(week1.checkinAt, 1)), source: 'email' as const },
      answer('owner', 2, week2.checkinAt),
    ];
    const now = plus(week2.checkinAt, 3);

    const health = communicationHealth(plan, weeks, feedback, now);

    expect(health.owner.silentDays).toBe(3);
    expect(health.partner).toMatchObject({
      lastHeardAt: plus(week1.checkinAt, 1),
      silentDays: 9,
      atRisk: true,
    });
    expect(health.daysSinceTwoWayContact).toBe(9);
    expect(health.atRisk).toBe(true);
    expect(longestSilence(health)).toEqual({ role: 'partner', days: 9 });
  });

  it('is at risk only beyond the limit, not on it', () => {
    const feedback = [answer('owner', 1, week1.checkinAt), answer('partner', 1, week1.checkinAt)];

    expect(communicationHealth(plan, weeks, feedback, plus(week1.checkinAt, 7)).atRisk).toBe(false);
    expect(communicationHealth(plan, weeks, feedback, plus(week1.checkinAt, 8)).atRisk).toBe(true);
  });

  it('does not count answers or check-ins after the moment it describes', () => {
    const feedback = [answer('partner', 3, week3.checkinAt)];

    const health = communicationHealth(plan, weeks, feedback, plus(week2.checkinAt, 1));

    expect(health.partner).toMatchObject({ lastHeardAt: null, silentSince: week1.checkinAt, silentDays: 8 });
  });
});

describe('communicationHealth across a DST change: days on the owner’s calendar', () => {
  // Silent since Thursday 4 March 2027 at 10:00 in New York (EST); the US springs forward on 14 March.
  const plan = planFixture({
    owner: { ...planFixture().owner, timeZone: 'America/New_York' },
    checkIn: { ...planFixture().checkIn, weekday: 'thursday', time: '10:00' },
  });
  const asked = [{ checkinAt: '2027-03-04T15:00:00.000Z' }];
  const heard = [answer('partner', 1, '2027-03-04T15:00:00.000Z')];
  const partnerAt = (now: string, feedback: Feedback[] = heard) =>
    communicationHealth(plan, asked, feedback, now).partner;

  it('counts two weeks to the same wall-clock time as 14 days, though the clock lost an hour', () => {
    // Thursday 18 March at 10:00 EDT: 14 × 24 − 1 hours later.
    expect(partnerAt('2027-03-18T14:00:00.000Z')).toMatchObject({ silentDays: 14, atRisk: false });
    expect(partnerAt('2027-03-18T14:00:00.000Z', [])).toMatchObject({ silentDays: 14, lastHeardAt: null });
  });

  it('marks the silence at risk on the day after the limit, as in a zone without DST', () => {
    const fridayInNewYork = partnerAt('2027-03-19T14:00:00.000Z');
    const inBogota = communicationHealth(
      { ...plan, owner: { ...plan.owner, timeZone: 'America/Bogota' } },
      asked,
      heard,
      // Friday 19 March at 10:00 in Bogotá (UTC−5 all year).
      '2027-03-19T15:00:00.000Z',
    ).partner;

    expect(fridayInNewYork).toMatchObject({ silentDays: 15, atRisk: true });
    expect(inBogota).toMatchObject({ silentDays: 15, atRisk: true });
  });

  it('does not count a day early after a fall-back (the clock gained an hour)', () => {
    const autumn = [answer('partner', 1, '2027-11-04T14:00:00.000Z')]; // Thursday 4 November, 10:00 EDT
    // Thursday 18 November at 09:30 EST: 14 × 24 + 0.5 hours later, but not yet 10:00 on the wall clock.
    expect(partnerAt('2027-11-18T14:30:00.000Z', autumn).silentDays).toBe(13);
    expect(partnerAt('2027-11-18T15:00:00.000Z', autumn).silentDays).toBe(14);
  });
});

describe('silentSides: whom to remind', () => {
  it('names the sides without an answer to the week, in order', () => {
    expect(silentSides(2, [])).toEqual(['owner', 'partner']);
    expect(silentSides(2, [answer('owner', 2, week2.checkinAt)])).toEqual(['partner']);
    expect(silentSides(2, [answer('partner', 2, week2.checkinAt)])).toEqual(['owner']);
  });

  it('does not count an answer to another week', () => {
    expect(
      silentSides(2, [answer('owner', 1, week1.checkinAt), answer('partner', 3, week3.checkinAt)]),
    ).toEqual(['owner', 'partner']);
  });

  it('reminds nobody when both answered', () => {
    expect(
      silentSides(1, [answer('partner', 1, week1.checkinAt), answer('owner', 1, week1.checkinAt)]),
    ).toEqual([]);
  });
});

describe('daysAgo', () => {
  it('says today, yesterday, or the days', () => {
    expect([0, 1, 9].map(daysAgo)).toEqual(['today', 'yesterday', '9 days ago']);
  });
});

describe('the status view', () => {
  it('shows the health as of the request, and the at-risk mark the workflow wrote', () => {
    const onboarding: Onboarding = {
      id: plan.id,
      status: 'active',
      plan,
      planDigest: 'x',
      createdAt: week1.releasedAt,
      updatedAt: week2.remindAt!,
      atRiskSince: week2.remindAt!,
    };
    const reminded = {
      ...week2,
      reminder: {
        at: week2.remindAt!,
        reminded: ['partner' as const],
        atRisk: true,
        silentDays: 8,
        silentRole: 'partner' as const,
      },
    };
    const now = plus(week2.checkinAt, 2);

    const view = onboardingStatusView(
      onboarding,
      [week1, reminded],
      [answer('owner', 2, week2.checkinAt)],
      now,
    );

    expect(view.atRiskSince).toBe(week2.remindAt);
    expect(view.health).toMatchObject({
      asOf: now,
      atRisk: true,
      partner: { silentDays: 9, lastHeardAt: null },
    });
    expect(view.weeks.map((w) => [w.remindAt, w.reminded])).toEqual([
      [week1.remindAt, undefined],
      [week2.remindAt, ['partner']],
    ]);
  });
});
