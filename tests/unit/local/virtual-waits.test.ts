import { describe, expect, it } from 'vitest';
import {
  type Definition,
  loadDefinition,
  REAL_TIMEOUT_SECONDS,
  substitute,
  VIRTUAL_CLOCK_ARN,
  withVirtualWaits,
} from '#local/definition';
import { LocalStepFunctions, PreparedStateMachine } from '#local/runner';

// biome-ignore-start lint/suspicious/noTemplateCurlyInString: ASL placeholders, filled by substitute()
const tiny = (wait: Record<string, unknown>): Definition => ({
  StartAt: 'Plan',
  States: {
    Plan: { Type: 'Task', Resource: '${PlanFunctionArn}', Next: 'Hold' },
    Hold: { Type: 'Wait', Next: 'Act', ...wait },
    Act: { Type: 'Task', Resource: '${ActFunctionArn}', End: true },
  },
});
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: ASL placeholders
const functions = [
  { placeholder: 'PlanFunctionArn', handler: 'plan', needs: [] },
  { placeholder: 'ActFunctionArn', handler: 'act', needs: [] },
];

describe('the local rewrite of Wait states', () => {
  it('turns a TimestampPath Wait into a virtual-clock Task that evaluates the same path, with no real-time limit', () => {
    const rewritten = withVirtualWaits(tiny({ TimestampPath: '$.until', Comment: 'why' }));
    expect(rewritten.States.Hold).toEqual({
      Type: 'Task',
      Comment: 'why',
      Resource: VIRTUAL_CLOCK_ARN,
      Parameters: { 'until.$': '$.until', 'state.$': '$' },
      ResultPath: null,
      // The interpreter would fail a Task after 60 real seconds: `npm run serve` holds waits open longer.
      TimeoutSeconds: REAL_TIMEOUT_SECONDS,
      Next: 'Act',
    });
  });

  it('keeps Seconds waits as seconds', () => {
    expect(withVirtualWaits(tiny({ Seconds: 30 })).States.Hold).toMatchObject({
      Parameters: { seconds: 30 },
    });
  });

  it('leaves the deployed definition untouched', () => {
    const before = JSON.stringify(loadDefinition());
    withVirtualWaits(loadDefinition());
    expect(JSON.stringify(loadDefinition())).toBe(before);
  });

  it('refuses a placeholder with no local value', () => {
    expect(() => substitute(tiny({ Seconds: 1 }), { PlanFunctionArn: 'x' })).toThrow(/\$\{ActFunctionArn\}/);
  });
});

describe('the virtual clock of a local execution', () => {
  it('jumps to the evaluated timestamp, and the next step runs at that time', async () => {
    const seenAt: string[] = [];
    const { clock } = await import('#adapters/clock');
    const runner = new LocalStepFunctions(
      new PreparedStateMachine(tiny({ TimestampPath: '$.until' }), functions),
      {
        plan: async () => ({ until: '2027-03-01T08:00:00Z' }),
        act: async () => {
          seenAt.push(clock.now().toISOString());
          return {};
        },
      },
    );
    const execution = runner.start('jump', '{}', new Date('2027-01-01T00:00:00Z'));
    await execution.done;
    expect(execution.status).toBe('SUCCEEDED');
    expect(seenAt).toEqual(['2027-03-01T08:00:00.000Z']);
    expect(execution.visits.map((v) => `${v.state}:${v.type}`)).toEqual([
      'Plan:Task',
      'Hold:Wait',
      'Act:Task',
    ]);
  });

  it('fails the execution when the path finds no timestamp, as AWS would', async () => {
    const runner = new LocalStepFunctions(
      new PreparedStateMachine(tiny({ TimestampPath: '$.missing' }), functions),
      {
        plan: async () => ({ until: '2027-03-01T08:00:00Z' }),
        act: async () => ({}),
      },
    );
    const ended: string[] = [];
    runner.onEnd = (e) => ended.push(`${e.name}:${e.status}`);
    const execution = runner.start('bad-path', '{}');
    await execution.done;
    expect(execution.status).toBe('FAILED');
    expect(execution.visits.map((v) => v.state)).not.toContain('Act');
    // Told once it has ended, with its status set (npm run serve says so).
    expect(ended).toEqual(['bad-path:FAILED']);
  });

  it('keeps concurrent executions at their own times', async () => {
    const { clock } = await import('#adapters/clock');
    const seen = new Map<string, string>();
    const runner = new LocalStepFunctions(
      new PreparedStateMachine(tiny({ TimestampPath: '$.until' }), functions),
      {
        plan: async (input) => ({
          until: (input as { until: string }).until,
          name: (input as { name: string }).name,
        }),
        act: async (input) => {
          seen.set((input as { name: string }).name, clock.now().toISOString());
          return {};
        },
      },
    );
    const a = runner.start('a', JSON.stringify({ name: 'a', until: '2027-05-01T00:00:00Z' }));
    const b = runner.start('b', JSON.stringify({ name: 'b', until: '2030-01-01T00:00:00Z' }));
    await Promise.all([a.done, b.done]);
    expect(Object.fromEntries(seen)).toEqual({
      a: '2027-05-01T00:00:00.000Z',
      b: '2030-01-01T00:00:00.000Z',
    });
  });

  it('names a second execution of the same name ExecutionAlreadyExists, as AWS does', async () => {
    const runner = new LocalStepFunctions(new PreparedStateMachine(tiny({ Seconds: 1 }), functions), {
      plan: async () => ({}),
      act: async () => ({}),
    });
    await runner.start('once', '{}').done;
    expect(() => runner.start('once', '{}')).toThrow(
      expect.objectContaining({ name: 'ExecutionAlreadyExists' }),
    );
  });
});
