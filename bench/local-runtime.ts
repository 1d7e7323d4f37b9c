/**
 * Local runtime benchmark: boot time, one full 8-week onboarding, 50 concurrent onboardings, and
 * peak RSS, on the embedded emulators; and, as the floor under the 50 onboardings, the same AWS
 * calls made with nothing else (bench/aws-calls-alone.ts). Prints a table and one JSON line
 * (`BENCH {...}`).
 * Targets (2-core machine): boot ≤ 1.5 s, one onboarding ≤ 1 s, 50 concurrent ≤ 10 s, RSS ≤ 400 MB.
 *
 *   npm run bench
 */
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { parse } from 'yaml';
import type { PlanInput } from '#core/plan';
import { startLocalRuntime } from '#local/runtime';
import { SCENARIOS } from '#local/scenarios';
import { replayCalls } from './aws-calls-alone.ts';

const TARGETS = { bootMs: 1500, oneOnboardingMs: 1000, fiftyConcurrentMs: 10_000, peakRssMb: 400 };

const bookkeeping = parse(readFileSync('examples/bookkeeping.yaml', 'utf8')) as PlanInput;

/** The bookkeeping example stretched to exactly 8 weeks: more work than the ramp can release. */
function eightWeekPlan(id: string): PlanInput {
  const plan = structuredClone(bookkeeping);
  const backlog = Array.from({ length: 6 }, (_, i) => ({
    id: `backlog-${i + 1}`,
    title: `Backlog item ${i + 1}`,
    deliverable: 'A cleared backlog item',
    acceptanceCriteria: ['Reviewed by the owner'],
    priority: 5,
    effort: 12,
  }));
  return { ...plan, id, weeks: 8, tasks: [...plan.tasks, ...backlog] };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const began = performance.now();
  const result = await fn();
  return [result, performance.now() - began];
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** The SES emulator's requests by the API they call ("SES POST /v2/email/outbound-emails" is SendEmail). */
const apiName = (operation: string) =>
  operation === 'SES POST /v2/email/outbound-emails' ? 'SES.SendEmail' : operation;

/** This process's time collecting garbage (ms), to weigh against its memory (local/heap-growth.ts). */
let gcMs = 0;
new PerformanceObserver((entries) => {
  for (const entry of entries.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const [runtime, bootMs] = await timed(() => startLocalRuntime());
try {
  const runOne = async (id: string) => {
    // Both sides answer every check-in well: the ramp rises a stage a week, the path a good onboarding takes.
    runtime.simulation.play(id, SCENARIOS.steady!);
    const { onboardingId } = await runtime.startOnboarding({ plan: eightWeekPlan(id) });
    const execution = runtime.stepFunctions.get(onboardingId);
    await execution.done;
    if (execution.status !== 'SUCCEEDED')
      throw new Error(`${id} ended ${execution.status}: ${execution.error}`);
    return (await runtime.store.listWeeks(onboardingId)).length;
  };

  const [firstWeeks, firstMs] = await timed(() => runOne('bench-first'));
  if (firstWeeks !== 8) throw new Error(`the benchmark plan ran ${firstWeeks} weeks, not 8`);
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push((await timed(() => runOne(`bench-warm-${i}`)))[1]);
  const before = await runtime.emulatorStats();
  const cpuBefore = { runtime: cpuMs(), emulators: before.cpuMs };
  const gcBefore = { runtime: gcMs, emulators: before.gcMs };
  const [, fiftyMs] = await timed(() =>
    Promise.all(Array.from({ length: 50 }, (_, i) => runOne(`bench-concurrent-${i}`))),
  );
  // Where the 50 onboardings' time goes: CPU seconds of each process against the wall time.
  const after = await runtime.emulatorStats();
  const fiftyCpu = { runtime: cpuMs() - cpuBefore.runtime, emulators: after.cpuMs - cpuBefore.emulators };
  const fiftyGc = { runtime: gcMs - gcBefore.runtime, emulators: after.gcMs - gcBefore.emulators };
  // What one onboarding costs in AWS requests (DynamoDB and SES), from the emulators' counts.
  const callsPerOnboarding = Object.fromEntries(
    Object.entries(after.requests)
      .map(([operation, n]) => [apiName(operation), (n - (before.requests[operation] ?? 0)) / 50] as const)
      // GET /store is the SES emulator's own outbox, which the simulated people read: not AWS.
      .filter(([operation, n]) => n > 0 && !operation.startsWith('SES GET'))
      .sort((a, b) => b[1] - a[1]),
  );
  const awsCallsPerOnboarding = Object.values(callsPerOnboarding).reduce((sum, n) => sum + n, 0);
  // Counted from the table (reading the SES emulator's whole store would weigh on the memory measured).
  const emailsPerOnboarding = (await runtime.store.listEmails('bench-first')).length;
  // Two processes: the runtime (handlers, SDK, state machine) and the emulators.
  const runtimeRssMb = process.resourceUsage().maxRSS / 1024;
  const emulatorsRssMb = (await runtime.emulatorStats()).maxRssKb / 1024;
  const peakRssMb = runtimeRssMb + emulatorsRssMb;

  // The floor: the 50 onboardings' AWS calls replayed with nothing else (after memory is read).
  const beforeReplay = { runtime: cpuMs(), emulators: (await runtime.emulatorStats()).cpuMs };
  const callsAloneMs = await replayCalls(process.env.TABLE_NAME!, callsPerOnboarding, 50);
  const callsAloneCpu = {
    runtime: cpuMs() - beforeReplay.runtime,
    emulators: (await runtime.emulatorStats()).cpuMs - beforeReplay.emulators,
  };

  const figures = {
    bootMs: Math.round(bootMs),
    oneOnboardingMs: Math.round(median(warm)),
    firstOnboardingMs: Math.round(firstMs),
    fiftyConcurrentMs: Math.round(fiftyMs),
    fiftyRuntimeCpuMs: Math.round(fiftyCpu.runtime),
    fiftyEmulatorsCpuMs: Math.round(fiftyCpu.emulators),
    fiftyRuntimeGcMs: Math.round(fiftyGc.runtime),
    fiftyEmulatorsGcMs: Math.round(fiftyGc.emulators),
    fiftyCallsAloneMs: Math.round(callsAloneMs),
    fiftyCallsAloneRuntimeCpuMs: Math.round(callsAloneCpu.runtime),
    fiftyCallsAloneEmulatorsCpuMs: Math.round(callsAloneCpu.emulators),
    peakRssMb: Math.round(peakRssMb),
    runtimeRssMb: Math.round(runtimeRssMb),
    emulatorsRssMb: Math.round(emulatorsRssMb),
    weeksPerOnboarding: firstWeeks,
    emailsPerOnboarding,
    awsCallsPerOnboarding: Math.round(awsCallsPerOnboarding),
    callsPerOnboarding,
    node: process.version,
  };
  const row = (label: string, value: number, unit: string, target?: number) =>
    `${label.padEnd(36)} ${String(value).padStart(7)} ${unit.padEnd(3)} ${target === undefined ? '' : `target ≤ ${target} ${unit}  ${value <= target ? 'ok' : 'MISSED'}`}`;
  console.log('onramp local runtime benchmark');
  console.log(row('boot (emulators, table, handlers)', figures.bootMs, 'ms', TARGETS.bootMs));
  console.log(
    row('one 8-week onboarding (median of 5)', figures.oneOnboardingMs, 'ms', TARGETS.oneOnboardingMs),
  );
  console.log(row('first 8-week onboarding (cold)', figures.firstOnboardingMs, 'ms'));
  console.log(
    row('50 concurrent 8-week onboardings', figures.fiftyConcurrentMs, 'ms', TARGETS.fiftyConcurrentMs),
  );
  console.log(row('  CPU time, runtime process', figures.fiftyRuntimeCpuMs, 'ms'));
  console.log(row('  CPU time, emulator process', figures.fiftyEmulatorsCpuMs, 'ms'));
  console.log(row('  GC pauses, runtime process', figures.fiftyRuntimeGcMs, 'ms'));
  console.log(row('  GC pauses, emulator process', figures.fiftyEmulatorsGcMs, 'ms'));
  console.log(row('  their AWS calls alone, same clients', figures.fiftyCallsAloneMs, 'ms'));
  console.log(row('    CPU time, runtime process', figures.fiftyCallsAloneRuntimeCpuMs, 'ms'));
  console.log(row('    CPU time, emulator process', figures.fiftyCallsAloneEmulatorsCpuMs, 'ms'));
  console.log(row('peak RSS, both processes', figures.peakRssMb, 'MB', TARGETS.peakRssMb));
  console.log(row('  runtime process', figures.runtimeRssMb, 'MB'));
  console.log(row('  emulator process', figures.emulatorsRssMb, 'MB'));
  console.log(
    `AWS calls per onboarding: ${Math.round(awsCallsPerOnboarding)} (${Object.entries(callsPerOnboarding)
      .map(([operation, n]) => `${operation} ${n}`)
      .join(', ')})`,
  );
  console.log(`emails per onboarding: ${emailsPerOnboarding}; ${process.version}`);
  console.log(`BENCH ${JSON.stringify(figures)}`);
} finally {
  await runtime.stop();
}
