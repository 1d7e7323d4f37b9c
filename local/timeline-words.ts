import type { Feedback } from '#core/feedback';
import type { OwnerAnswer } from '#core/owner-decision';

/** How an answer came, as the timeline says it. */
export const ANSWERED_BY: Record<Feedback['source'], string> = {
  link: 'by link',
  email: 'by email',
  api: 'through the API',
};

/** How the owner decided, as the timeline says it: " by link", " by email", or nothing when unknown. */
export function decidedVia(answer: OwnerAnswer): string {
  return answer.via ? ` ${ANSWERED_BY[answer.via]}` : '';
}
