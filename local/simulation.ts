import type { OnboardingStore } from '#adapters/onboarding-store';
import type { FeedbackInput } from '#core/feedback';
import type { WaitEvent } from './runner.ts';
import type { CheckIn, Scenario } from './scenarios.ts';

/** The Wait of the workflow during which people answer the week's check-in. */
const FEEDBACK_WAIT = 'WaitForFeedback';

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
  ) {}

  /** Plays `scenario` for the onboarding `onboardingId`. */
  play(onboardingId: string, scenario: Scenario): void {
    this.scenarios.set(onboardingId, scenario);
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
