import type { OnboardingStore } from '#adapters/onboarding-store';
import type { FeedbackInput } from '#core/feedback';
import type { WaitEvent } from './runner.ts';
import type { Scenario } from './scenarios.ts';

/** The Wait of the workflow during which people answer the week's check-in. */
const FEEDBACK_WAIT = 'WaitForFeedback';

/**
 * Plays the owner and the partner of local onboardings: when an execution starts waiting for the
 * week's feedback, each side of that onboarding's scenario answers (or stays silent) through the
 * feedback handler, at the execution's virtual time (the check-in).
 */
export class Simulation {
  private readonly scenarios = new Map<string, Scenario>();

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
    const { onboarding, week: record } = await this.store.getOnboardingWeek(onboardingId, week);
    const sides = [
      { role: 'owner' as const, from: onboarding.plan.owner.email, answer: scenario.owner(record) },
      { role: 'partner' as const, from: onboarding.plan.partner.emails[0], answer: scenario.partner(record) },
    ];
    for (const { role, from, answer } of sides) {
      if (answer) await this.recordFeedback({ ...answer, onboardingId, week, role, from, source: 'api' });
    }
  };
}
