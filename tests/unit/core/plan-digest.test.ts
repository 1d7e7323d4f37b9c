import { describe, expect, it } from 'vitest';
import { digestOf } from '#core/plan-digest';
import { planFixture, taskFixture } from './fixtures.ts';

/** The same object with its keys in reverse order, at every depth. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversedKeys(v)]),
    );
  }
  return value;
}

describe('digestOf', () => {
  it('gives the same digest for the same plan with its keys in another order', () => {
    const plan = planFixture();

    expect(digestOf(reversedKeys(plan))).toBe(digestOf(plan));
  });

  it('gives a different digest when a task’s effort changes', () => {
    const plan = planFixture();
    const changed = planFixture({
      tasks: plan.tasks.map((t) => (t.id === 'receipts' ? { ...t, effort: t.effort + 1 } : t)),
    });

    expect(digestOf(changed)).not.toBe(digestOf(plan));
  });

  it('gives a different digest when the partner changes', () => {
    const plan = planFixture();
    const changed = planFixture({ partner: { ...plan.partner, emails: ['other@ledgerly.example'] } });

    expect(digestOf(changed)).not.toBe(digestOf(plan));
  });

  it('gives a different digest when the tasks are listed in another order', () => {
    // File order breaks priority ties, so it is part of the plan.
    const a = taskFixture({ id: 'a', priority: 1 });
    const b = taskFixture({ id: 'b', priority: 1 });

    expect(digestOf(planFixture({ tasks: [b, a] }))).not.toBe(digestOf(planFixture({ tasks: [a, b] })));
  });

  it('treats a field set to undefined like a field left out', () => {
    const { id: _id, ...withoutId } = planFixture();

    expect(digestOf({ ...withoutId, id: undefined })).toBe(digestOf(withoutId));
  });
});
