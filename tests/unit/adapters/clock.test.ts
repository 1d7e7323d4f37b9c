import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clock, runWithClock, VirtualClock } from '#adapters/clock';

afterEach(() => {
  vi.useRealTimers();
});

describe('clock', () => {
  it('reads the system time outside runWithClock', () => {
    // Prepare
    vi.useFakeTimers({ now: new Date('2026-12-07T08:00:00Z'), toFake: ['Date'] });

    // Act
    const now = clock.now();

    // Assess
    expect(now.toISOString()).toBe('2026-12-07T08:00:00.000Z');
  });

  it("reads the given clock's time inside runWithClock", () => {
    // Prepare
    const virtual = new VirtualClock(new Date('2027-01-04T09:00:00Z'));

    // Act
    const now = runWithClock(virtual, () => clock.now());

    // Assess
    expect(now.toISOString()).toBe('2027-01-04T09:00:00.000Z');
  });

  it("keeps reading the given clock's time after an await", async () => {
    // Prepare
    const virtual = new VirtualClock(new Date('2027-01-04T09:00:00Z'));

    // Act
    const now = await runWithClock(virtual, async () => {
      await sleep(1);
      virtual.advanceTo(new Date('2027-01-07T15:00:00Z'));
      await Promise.resolve();
      return clock.now();
    });

    // Assess
    expect(now.toISOString()).toBe('2027-01-07T15:00:00.000Z');
  });

  it('is back on the system time once runWithClock has returned', async () => {
    // Prepare
    vi.useFakeTimers({ now: new Date('2026-12-07T08:00:00Z'), toFake: ['Date'] });
    await runWithClock(new VirtualClock(new Date('2030-01-01T00:00:00Z')), async () => undefined);

    // Act
    const now = clock.now();

    // Assess
    expect(now.toISOString()).toBe('2026-12-07T08:00:00.000Z');
  });
});

describe('VirtualClock.advanceTo', () => {
  it('moves forward to a later instant', () => {
    // Prepare
    const virtual = new VirtualClock(new Date('2027-01-04T09:00:00Z'));

    // Act
    virtual.advanceTo(new Date('2027-01-11T09:00:00Z'));

    // Assess
    expect(virtual.now().toISOString()).toBe('2027-01-11T09:00:00.000Z');
  });

  it('never moves backwards', () => {
    // Prepare
    const virtual = new VirtualClock(new Date('2027-01-04T09:00:00Z'));

    // Act
    virtual.advanceTo(new Date('2026-12-31T23:59:59Z'));

    // Assess
    expect(virtual.now().toISOString()).toBe('2027-01-04T09:00:00.000Z');
  });
});
