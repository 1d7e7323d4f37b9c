import { formatDate, formatDateTime } from '#core/calendar';
import type { Feedback } from '#core/feedback';
import type { EmailRecord, Onboarding, WeekRecord } from '#core/onboarding';
import { CHOICE_LABELS } from '#core/owner-decision';
import { printable } from './printable.ts';
import type { StateVisit } from './runner.ts';
import { type DueDiligenceRecord, dueDiligenceLines } from './timeline-due-diligence.ts';
import { ANSWERED_BY, decidedVia } from './timeline-words.ts';

export interface TimelineInput {
  onboarding: Onboarding;
  weeks: WeekRecord[];
  emails: EmailRecord[];
  feedback: Feedback[];
  visits: StateVisit[];
  /** The due diligence's answers and verdict, when the plan lists references. */
  dueDiligence?: DueDiligenceRecord;
}

/**
 * What happened, week by week, in the owner's time zone: stage and cap, what was released and its
 * volume against the cap, the check-in, reminders of the silent and at-risk marks, the gate's
 * decision, and every email (to whom, subject).
 * Built only from what the workflow wrote to the table, as an operator would read it on AWS.
 * Printable on a terminal: what people wrote cannot act on it.
 */
export function renderTimeline({
  onboarding,
  weeks,
  emails,
  feedback,
  visits,
  dueDiligence,
}: TimelineInput): string {
  const { plan } = onboarding;
  const tz = plan.owner.timeZone;
  const unit = plan.effortUnit === 'hours' ? 'h' : ' items';
  const titles = new Map(plan.tasks.map((t) => [t.id, t.title]));
  const out: string[] = [];
  const mail = (list: EmailRecord[]) =>
    list.map((e) => `      ✉ ${e.role.padEnd(7)} ${e.to.join(', ')} — "${e.subject}"`);
  const emailsOf = (kind: EmailRecord['kind'], week: number) =>
    emails.filter((e) => e.kind === kind && e.week === week);

  out.push(`${plan.title}`);
  out.push(`  owner ${plan.owner.name} (${tz}) · partner ${plan.partner.name} (${plan.partner.timeZone})`);
  out.push(
    `  ${plan.tasks.length} tasks · full volume ${plan.ramp.targetWeeklyVolume}${unit} a week · up to ${plan.weeks} weeks`,
  );
  out.push('');
  const diligence = dueDiligenceLines(plan, emails, dueDiligence ?? { answers: [] }, mail);
  if (diligence.length > 0) out.push(...diligence, '');
  const kickoff = emailsOf('kickoff', 0);
  if (kickoff[0]) {
    out.push(`Kickoff   ${formatDateTime(kickoff[0].sentAt, tz)}`);
    out.push(...mail(kickoff));
  }
  for (const week of weeks) {
    const bar = '█'.repeat(Math.round((20 * week.volume) / plan.ramp.targetWeeklyVolume)).padEnd(20, '░');
    out.push('');
    out.push(
      `Week ${String(week.week).padEnd(3)} ${formatDate(week.releasedAt, tz)}  stage ${week.stage + 1} (${week.percent}%)  ` +
        `${bar} ${week.volume}${unit} of ${week.cap}${unit} cap`,
    );
    const released = week.tasks.map(
      (t) => `${titles.get(t.taskId) ?? t.taskId} (${t.effort}${unit}${t.recurring ? ', weekly' : ''})`,
    );
    const nothingNew = week.releasesNew ? 'nothing new' : 'nothing new (the stage holds)';
    out.push(`      released: ${released.length > 0 ? released.join(', ') : nothingNew}`);
    if (week.carriedTaskIds.length > 0) {
      const carried = week.carriedTaskIds.map((id) => titles.get(id) ?? id).join(', ');
      out.push(`      carried over: ${carried} (${week.carriedVolume}${unit})`);
    }
    if (week.recurringVolume > 0) out.push(`      continuing weekly work: ${week.recurringVolume}${unit}`);
    if (week.oversizeTaskId)
      out.push(`      ${titles.get(week.oversizeTaskId)} is too large to fit: released alone`);
    out.push(...mail(emailsOf('batch', week.week)));
    out.push(`      check-in ${formatDateTime(week.checkinAt, tz)}`);
    out.push(...mail(emailsOf('checkin', week.week)));
    for (const answer of feedback.filter((f) => f.week === week.week)) {
      const unfinished =
        answer.unfinishedTaskIds.length > 0 ? `, unfinished: ${answer.unfinishedTaskIds.join(', ')}` : '';
      out.push(
        `      ${answer.role.padEnd(7)} rated ${answer.rating}/5 ${ANSWERED_BY[answer.source]}` +
          `${answer.comment ? ` "${answer.comment}"` : ''}${unfinished}`,
      );
    }
    const reminder = week.reminder;
    if (reminder && reminder.reminded.length > 0)
      out.push(`      reminded ${reminder.reminded.join(' and ')} ${formatDateTime(reminder.at, tz)}`);
    out.push(...mail(emailsOf('reminder', week.week)));
    if (reminder?.atRisk)
      out.push(
        `      ⚠ at risk: nothing from the ${reminder.silentRole} for ${reminder.silentDays} days (the plan allows ${plan.gate.silenceLimitDays})`,
      );
    if (week.decision)
      out.push(`      gate ${formatDateTime(week.feedbackDueAt, tz)}: ${week.decision.reason}`);
    const escalation = emailsOf('escalation', week.week);
    if (escalation[0]) out.push(`      owner asked ${formatDateTime(escalation[0].sentAt, tz)}`);
    out.push(...mail(escalation));
    const owner = week.decision?.owner;
    if (owner) {
      out.push(
        owner.choice === 'none'
          ? `      no decision by ${formatDateTime(owner.at, tz)}: held by default`
          : `      owner decided ${formatDateTime(owner.at, tz)}${decidedVia(owner)}: ${CHOICE_LABELS[owner.choice].toLowerCase()}`,
      );
    } else if (week.decision?.outcome === 'escalate') {
      out.push('      no decision yet');
    }
    out.push(...mail(emailsOf('aborted', week.week)));
  }
  const summary = emails.filter((e) => e.kind === 'summary');
  const failure = emails.filter((e) => e.kind === 'failure');
  if (summary[0]) {
    out.push('', `Wrap-up   ${formatDateTime(summary[0].sentAt, tz)}`, ...mail(summary));
  }
  if (failure[0]) {
    const failedAt = visits.findLast((v) => v.error)?.state;
    out.push(
      '',
      `Stopped   ${onboarding.failure ?? 'error'}${failedAt ? ` in ${failedAt}` : ''}`,
      ...mail(failure),
    );
  }
  if (onboarding.pausedAt) {
    const resumed =
      onboarding.resumedAt && onboarding.resumedAt > onboarding.pausedAt
        ? `, resumed ${formatDateTime(onboarding.resumedAt, tz)}`
        : '';
    const weeksMoved = onboarding.pausedWeeks ?? 0;
    const moved =
      weeksMoved > 0 ? ` (the schedule moved ${weeksMoved} week${weeksMoved === 1 ? '' : 's'})` : '';
    out.push('', `Paused    ${formatDateTime(onboarding.pausedAt, tz)}${resumed}${moved}`);
  }
  if (onboarding.cancelledAt) {
    const why =
      onboarding.cancelReason === 'paused-too-long'
        ? ': paused too long, the rest could no longer end within the execution’s year'
        : '';
    out.push(
      '',
      `Cancelled ${formatDateTime(onboarding.cancelledAt, tz)}${why}`,
      ...mail(emails.filter((e) => e.kind === 'cancelled')),
    );
  }
  out.push('', `Status: ${onboarding.status}`);
  return printable(out.join('\n'));
}
