import { clock } from '#adapters/clock';
import type { OnboardingStore } from '#adapters/onboarding-store';
import type { EmailRecord } from '#core/onboarding';
import { CHOICE_LABELS, type OwnerChoice } from '#core/owner-decision';
import type { LinkClicks } from './link-clicks.ts';
import type { Mailbox, ReceivedEmail } from './mailbox.ts';
import { answerByReply, answerThroughLink, decideByReply, type Person } from './personas.ts';
import { answerAsReferences, REFERENCE_WAITS } from './references.ts';
import type { ParkedTask, WaitEvent } from './runner.ts';
import type { CheckIn, Scenario } from './scenarios.ts';

/** The Wait of the workflow during which people answer the week's check-in. */
const FEEDBACK_WAIT = 'WaitForFeedback';
/** The task-token wait of the workflow for the owner's decision. */
export const DECISION_WAIT = 'WaitForOwnerDecision';
/** The same wait before the kickoff, when the due diligence asks the owner (week 0). */
const DUE_DILIGENCE_DECISION_WAIT = 'WaitForDueDiligenceDecision';

/**
 * What the simulated people need to answer and decide as a person would: their mail, links to
 * click, and time.
 */
export interface OwnerDesk {
  mailbox: Mailbox;
  links: LinkClicks;
  /** Lets an execution's time run while it waits for a task token (see LocalStepFunctions.letTimePass). */
  letTimePass(executionName: string, until: Date): unknown;
}

/**
 * Plays the owner and the partner of local onboardings: when an execution starts waiting for the
 * week's feedback, each side of that onboarding's scenario answers (or stays silent) as a person
 * would, from the check-in email it received: through its rating link and the confirm page, or by
 * replying to it (local/personas.ts), at the execution's virtual time (the check-in).
 */
export class Simulation {
  private readonly scenarios = new Map<string, Scenario>();
  private readonly people = new Map<string, { owner: Person; partner: Person }>();

  constructor(
    private readonly store: OnboardingStore,
    private readonly desk: OwnerDesk,
  ) {}

  /** Plays `scenario` for the onboarding `onboardingId`. */
  play(onboardingId: string, scenario: Scenario): void {
    this.scenarios.set(onboardingId, scenario);
  }

  /** Whether the people of an onboarding are played by a scenario. */
  plays(onboardingId: string): boolean {
    return this.scenarios.has(onboardingId);
  }

  readonly onWait = async ({ executionName, stateName, state }: WaitEvent): Promise<void> => {
    const scenario = this.scenarios.get(executionName);
    const referencePhase = REFERENCE_WAITS[stateName];
    if (scenario?.references && referencePhase) {
      const desk = { store: this.store, mailbox: this.desk.mailbox, links: this.desk.links };
      return answerAsReferences(desk, executionName, referencePhase, scenario.references);
    }
    if (!scenario || stateName !== FEEDBACK_WAIT) return;
    const { onboardingId, week } = state as { onboardingId: string; week: number };
    const checkIn: CheckIn = { week, batch: () => this.store.getWeek(onboardingId, week).then((w) => w!) };
    const sides = [
      { role: 'owner' as const, answer: await scenario.owner(checkIn) },
      { role: 'partner' as const, answer: await scenario.partner(checkIn) },
    ];
    const answering = sides.filter((side) => side.answer);
    if (answering.length === 0) return;
    const [people, checkins] = await Promise.all([
      this.peopleOf(onboardingId),
      this.checkinsOf(onboardingId, week),
    ]);
    // Owner and partner are two people: each answers on their own, neither waits for the other.
    await Promise.all(
      answering.map(async ({ role, answer }) => {
        const checkin = checkins.find((c) => c.record.role === role);
        if (!checkin) throw new Error(`No check-in email of week ${week} reached the ${role}`);
        if ((scenario.answersBy?.[role] ?? 'link') === 'email') {
          await answerByReply(this.desk.mailbox, checkin, people[role], answer!, clock.now());
        } else {
          await answerThroughLink(this.desk.links, checkin.email, answer!);
        }
      }),
    );
  };

  /**
   * The week's check-in emails as their recipients got them: the table's records of what was
   * sent, and each message from the SES emulator by its message id.
   */
  private async checkinsOf(
    onboardingId: string,
    week: number,
  ): Promise<Array<{ record: EmailRecord; email: ReceivedEmail }>> {
    const records = await this.store.listEmails(onboardingId, { kind: 'checkin', week });
    const found = await Promise.all(
      records.map(async (record) => ({ record, email: await this.desk.mailbox.get(record.messageId) })),
    );
    return found.flatMap(({ record, email }) => (email ? [{ record, email }] : []));
  }

  /**
   * When an execution waits for the owner's decision: the scenario's owner opens the link of
   * their choice in the escalation email and confirms it on its page (the real link handler, the
   * real token, at the execution's time), or replies to the email with the choice's word
   * (`decidesBy: 'email'`, the real inbound function); an owner who does not decide, or of an
   * onboarding nobody plays (silent, as at its check-ins), lets the deadline pass, and the default
   * applies.
   */
  readonly onPark = async (task: ParkedTask): Promise<void> => {
    if (task.stateName !== DECISION_WAIT && task.stateName !== DUE_DILIGENCE_DECISION_WAIT) return;
    const scenario = this.scenarios.get(task.executionName);
    const onboardingId = task.executionName;
    const asked =
      task.stateName === DUE_DILIGENCE_DECISION_WAIT
        ? { week: 0 }
        : (await this.store.listWeeks(onboardingId)).findLast(
            (w) => w.decision?.outcome === 'escalate' && !w.decision.owner,
          );
    const choice = asked && (await scenario?.decide?.({ week: asked.week }));
    if (asked && choice) {
      // The owner reads the email the next morning (or just before the deadline, if sooner).
      const nextMorning = task.parkedAt.getTime() + 18 * 3600_000;
      const beforeDeadline = (task.timeoutAt?.getTime() ?? Infinity) - 60_000;
      this.desk.letTimePass(task.executionName, new Date(Math.min(nextMorning, beforeDeadline)));
      if (scenario?.decidesBy === 'email') await this.decideByReply(onboardingId, asked.week, choice);
      else await this.decideThroughLink(onboardingId, asked.week, choice);
    } else if (task.timeoutAt) {
      this.desk.letTimePass(task.executionName, task.timeoutAt);
    }
  };

  /** Opens the choice's link in the week's escalation email, then confirms it on the page. */
  private async decideThroughLink(onboardingId: string, week: number, choice: OwnerChoice): Promise<void> {
    const desk = this.desk;
    const record = (await this.store.listEmails(onboardingId, { kind: 'escalation', week })).find(
      (e) => e.role === 'owner',
    );
    const email = record && (await desk.mailbox.get(record.messageId));
    const label = CHOICE_LABELS[choice];
    const link = email?.body.text?.split(`${label}:\n`)[1]?.split(/\s/)[0];
    if (!link) throw new Error(`No "${label}" link in the escalation email of week ${week}`);
    const page = await desk.links.click(link);
    if (page.status !== 200) throw new Error(`The "${label}" link answered ${page.status}`);
    const sent = await desk.links.click(link, { choice });
    if (sent.status !== 200) throw new Error(`Confirming "${label}" answered ${sent.status}`);
  }

  /** Replies to the week's escalation email (week 0: the due diligence's) with the choice's word. */
  private async decideByReply(onboardingId: string, week: number, choice: OwnerChoice): Promise<void> {
    const record = (await this.store.listEmails(onboardingId, { kind: 'escalation', week })).find(
      (e) => e.role === 'owner',
    );
    const email = record && (await this.desk.mailbox.get(record.messageId));
    if (!record || !email) throw new Error(`No escalation email of week ${week} reached the owner`);
    const { owner } = await this.peopleOf(onboardingId);
    await decideByReply(this.desk.mailbox, { email, record }, owner, choice, clock.now());
  }

  /**
   * Who answers for an onboarding: read once, as the plan does not change. The partner's check-in
   * goes to all the partner's addresses; the first one answers (its links are signed for it).
   */
  private async peopleOf(onboardingId: string): Promise<{ owner: Person; partner: Person }> {
    let people = this.people.get(onboardingId);
    if (!people) {
      const { owner, partner } = (await this.store.getOnboarding(onboardingId)).plan;
      people = {
        owner: { address: owner.email, name: owner.name, timeZone: owner.timeZone },
        partner: { address: partner.emails[0]!, name: partner.name, timeZone: partner.timeZone },
      };
      this.people.set(onboardingId, people);
    }
    return people;
  }
}
