import { describe, expect, it } from 'vitest';
import { feedbackInputSchema, feedbackIssues } from '#core/feedback';
import { planFixture, weekRecordFixture } from './fixtures.ts';

const plan = planFixture();
// Week 2 of the fixture plan, at stage 1: released after week 1's tasks.
const week = weekRecordFixture(plan, 2, 1, ['bank-feeds', 'receipts']);
const worked = [...week.carriedTaskIds, ...week.tasks.filter((t) => !t.recurring).map((t) => t.taskId)];

describe('an answer to a check-in', () => {
  it('is taken while its week is open, naming the week’s own tasks as unfinished', () => {
    expect(worked.length).toBeGreaterThan(0);
    expect(feedbackIssues(2, week, { unfinishedTaskIds: [worked[0]!] })).toEqual([]);
  });

  it('is refused for a week that has not started', () => {
    expect(feedbackIssues(9, undefined, { unfinishedTaskIds: [] })).toEqual([
      { path: 'week', message: 'week 9 has not started yet' },
    ]);
  });

  it('is refused once the gate decided the week, saying what it decided', () => {
    const closed = { ...week, decision: { outcome: 'finish' as const, reason: 'every task handed over' } };

    expect(feedbackIssues(2, closed, { unfinishedTaskIds: [] })).toEqual([
      { path: 'week', message: 'week 2 is closed: its check-in was decided (every task handed over)' },
    ]);
  });

  it('names each unfinished task that is not the week’s, and each one listed twice', () => {
    const issues = feedbackIssues(2, week, { unfinishedTaskIds: ['bank-feeds', worked[0]!, worked[0]!] });

    expect(issues).toEqual([
      {
        path: 'unfinishedTaskIds[0]',
        message: expect.stringMatching(/^"bank-feeds" is not a task of week 2; its tasks: /),
      },
      { path: 'unfinishedTaskIds[2]', message: `"${worked[0]}" is listed twice` },
    ]);
  });

  it('lets only the owner name unfinished work, reported with the answer’s other problems', () => {
    const parsed = feedbackInputSchema.safeParse({
      onboardingId: 'x',
      week: 2,
      role: 'partner',
      rating: 0,
      unfinishedTaskIds: ['receipts'],
      source: 'api',
    });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['rating', 'must be 1 to 5'],
      ['unfinishedTaskIds', 'only the owner reports unfinished work'],
    ]);
  });
});
