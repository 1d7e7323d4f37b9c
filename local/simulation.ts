import type { OnboardingStore } from '#adapters/onboarding-store';
import type { FeedbackInput } from '#core/feedback';
import { CHOICE_LABELS, type OwnerChoice } from '#core/owner-decision';
import type { LinkClicks } from './link-clicks.ts';
import type { Mailbox } from './mailbox.ts';
import type { ParkedTask, WaitEvent } from './runner.ts';
import type { CheckIn, Scenario } from './scenarios.ts';

/** The Wait of the workflow during which people answer the week's check-in. */
const FEEDBACK_WAIT = 'WaitForFeedback';
/** The task-token wait of the workflow for the owner's decision. */
export const DECISION_WAIT = 'WaitForOwnerDecision';

/** What the simulated owner needs to decide as a person would: their mail, links to click, and time. */
export interface OwnerDesk {
  mailbox: Mailbox;
  links: LinkClicks;
  /** Lets an execution's time run while it waits for a task token (see LocalStepFunctions.letTimePass). */
  letTimePass(executionName: string, until: Date): unknown;
}

/**
 * Plays the owner and the partner of local onboardings: when an execution starts waiting for the
 * week's feedback, each side of that onboarding's scenario answers (or stays silent) through the
 * feedback handler, at the execution's virtual time (the check-in).
 */
export class Simulation {
  private readonly scenarios = new Map<string, Scenario>();
  private readonly people = new Map<string, { owner: string; partner?: string }>();

  constructor(
    private readonly store: OnboardingStore,
    private readonly recordFeedback: (input: FeedbackInput) => Promise<unknown>,
    private readonly desk?: OwnerDesk,
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
    if (!scenario || stateName !== FEEDBACK_WAIT) return;
    const { onboardingId, week } = state as { onboardingId: string; week: number };
    const checkIn: CheckIn = { week, batch: () => this.store.getWeek(onboardingId, week).then((w) => w!) };
    const people = await this.peopleOf(onboardingId);
    const sides = [
      { role: 'owner' as const, from: people.owner, answer: await scenario.owner(checkIn) },
      { role: 'partner' as const, from: people.partner, answer: await scenario.partner(checkIn) },
    ];
    for (const { role, from, answer } of sides) {
      if (answer) await this.recordFeedback({ ...answer, onboardingId, week, role, from, source: 'api' });
    }
  };

  /**
   * When an execution waits for the owner's decision: the scenario's owner opens the link of
   * their choice in the escalation email and confirms it on its page (the real link handler, the
   * real token, at the execution's time); an owner who does not decide, or of an onboarding
   * nobody plays (silent, as at its check-ins), lets the deadline pass, and the default applies.
   */
  readonly onPark = async (task: ParkedTask): Promise<void> => {
    if (!this.desk || task.stateName !== DECISION_WAIT) return;
    const scenario = this.scenarios.get(task.executionName);
    const onboardingId = task.executionName;
    const asked = (await this.store.listWeeks(onboardingId)).findLast(
      (w) => w.decision?.outcome === 'escalate' && !w.decision.owner,
    );
    const choice = asked && (await scenario?.decide?.({ week: asked.week }));
    if (asked && choice) {
      // The owner reads the email the next morning (or just before the deadline, if sooner).
      const nextMorning = task.parkedAt.getTime() + 18 * 3600_000;
      const beforeDeadline = (task.timeoutAt?.getTime() ?? Infinity) - 60_000;
      this.desk.letTimePass(task.executionName, new Date(Math.min(nextMorning, beforeDeadline)));
      await this.decideThroughLink(onboardingId, asked.week, choice);
    } else if (task.timeoutAt) {
      this.desk.letTimePass(task.executionName, task.timeoutAt);
    }
  };

  /** Opens the choice's link in the week's escalation email, then confirms it on the page. */
  private async decideThroughLink(onboardingId: string, week: number, choice: OwnerChoice): Promise<void> {
    const desk = this.desk!;
    const record = (await this.store.listEmails(onboardingId)).find(
      (e) => e.kind === 'escalation' && e.week === week && e.role === 'owner',
    );
    const email = (await desk.mailbox.list()).find((m) => m.messageId === record?.messageId);
    const label = CHOICE_LABELS[choice];
    const link = email?.body.text?.split(`${label}:\n`)[1]?.split(/\s/)[0];
    if (!link) throw new Error(`No "${label}" link in the escalation email of week ${week}`);
    const page = await desk.links.click(link);
    if (page.status !== 200) throw new Error(`The "${label}" link answered ${page.status}`);
    const sent = await desk.links.click(link, { choice });
    if (sent.status !== 200) throw new Error(`Confirming "${label}" answered ${sent.status}`);
  }

  /** Who answers for an onboarding: read once, as the plan does not change. */
  private async peopleOf(onboardingId: string): Promise<{ owner: string; partner?: string }> {
    let people = this.people.get(onboardingId);
    if (!people) {
      const { plan } = await this.store.getOnboarding(onboardingId);
      people = { owner: plan.owner.email, partner: plan.partner.emails[0] };
      this.people.set(onboardingId, people);
    }
    return people;
  }
}
