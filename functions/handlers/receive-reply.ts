import { simpleParser } from 'mailparser';
import { clock } from '#adapters/clock';
import { inboundRepliesFromEnvironment } from '#adapters/from-environment';
import { type RawMailSource, RawMailTooLarge } from '#adapters/raw-mail-store';
import { choicesAbout } from '#core/due-diligence';
import {
  type DecisionNotRecorded,
  type DecisionReplyContext,
  decisionNotRecordedReply,
  decisionRecordedReply,
} from '#core/emails/decision-reply';
import {
  type FeedbackReplyContext,
  feedbackNotRecordedReply,
  feedbackRecordedReply,
  type NotRecordedReason,
} from '#core/emails/feedback-reply';
import { FeedbackInvalid } from '#core/errors';
import { messageKey } from '#core/inbound-plan';
import { type DropReason, type ReceivedEnvelope, screenInbound } from '#core/inbound-screening';
import { addressesIn, addressOf, maskAddress } from '#core/inbound-senders';
import { ENDED_STATUSES, type Onboarding, type WeekRecord } from '#core/onboarding';
import { OWNER_CHOICES, type OwnerChoice } from '#core/owner-decision';
import {
  type DecisionQuestion,
  type DecisionRefusal,
  offersChoice,
  openQuestion,
  questionIn,
} from '#core/pages/decision';
import { type ReplyRole, verifyReplyToken } from '#core/reply-address';
import { autoReplyReason, readAnswer, readDecision, visibleReply } from '#core/reply-parsing';
import { recordFeedback } from './record-feedback.ts';
import { logger } from './shared/logger.ts';
import { decideAsOwner, findQuestion, type StoredQuestion } from './shared/owner-decisions.ts';
import { replyAddressingFromEnvironment } from './shared/reply-addressing.ts';
import { store } from './shared/store.ts';

/** A message sent to a reply address, as the receipt event tells it. */
export interface ReplyDelivery {
  sesMessageId: string;
  /** The Message-ID header, when the message has one. */
  messageId?: string;
  subject: string;
  envelope: ReceivedEnvelope;
  /** The reply address it was sent to (one of the receipt's recipients). */
  recipient: string;
  /** That address's token: what follows the `+`. */
  token: string;
}

/**
 * Why a reply was dropped without an answer, safe to log: the screening's reasons (verdicts, an
 * Auto-Submitted header, an unauthenticated From), or
 * - `replies-off`: this function has no link key (LINK_SECRET_ARN) to check reply addresses with;
 * - `reply-address-malformed` / `reply-address-forged`: not an address we made;
 * - `reply-address-unknown`: genuinely signed, but for no onboarding (deleted), or no question of
 *   the owner's, that the table knows;
 * - `not-the-recipient`: the From is not the side the address was made for (a forwarded check-in);
 * - `reply-address-not-in-headers`: the reply address is not in the To or Cc the sender signed:
 *   someone else's signed message, sent on to a reply address they learned;
 * - `auto-reply`: an out-of-office or other responder (the log says which sign);
 * - `message-too-large`: over the raw-mail size limit.
 */
export type ReplyDropReason =
  | Exclude<DropReason, 'sender-not-allowed' | 'not-for-inbound-address'>
  | 'replies-off'
  | 'reply-address-malformed'
  | 'reply-address-forged'
  | 'reply-address-unknown'
  | 'not-the-recipient'
  | 'reply-address-not-in-headers'
  | 'auto-reply'
  | 'message-too-large';

export type ReplyOutcome =
  | { outcome: 'dropped'; reasons: ReplyDropReason[] }
  | {
      outcome: 'feedback-recorded';
      onboardingId: string;
      week: number;
      role: ReplyRole;
      rating: number;
      replied: boolean;
    }
  | {
      outcome: 'feedback-not-recorded';
      onboardingId: string;
      week: number;
      role: ReplyRole;
      reason: NotRecordedReason['reason'];
      replied: boolean;
    }
  /** A reply to the owner's question that decided it: the same path as the link's confirm page. */
  | {
      outcome: 'decision-recorded';
      onboardingId: string;
      week: number;
      choice: OwnerChoice;
      replied: boolean;
    }
  /** A reply to the owner's question that decided nothing: not understood, or the question is closed. */
  | {
      outcome: 'decision-not-recorded';
      onboardingId: string;
      week: number;
      reason: DecisionNotRecorded['reason'];
      replied: boolean;
    }
  /** The same Message-ID again, after it was answered: nothing is done twice. */
  | { outcome: 'already-answered'; onboardingId?: string };

/** Read at cold start; without the link key, every reply is dropped (and logged) as `replies-off`. */
const replying = replyAddressingFromEnvironment(process.env);
const replies = inboundRepliesFromEnvironment(process.env);

/**
 * A reply to a check-in email, sent to its signed Reply-To: the answer of the side the address
 * was made for, to that week's check-in. Recorded as feedback (source `email`) when the address
 * is genuine, the message passes the same SES checks as a plan and comes from that side's own
 * address, is written by a person, and says a rating from 1 to 5; the sender is then told what
 * was recorded. A genuine reply with no usable rating, or too late, gets one answer saying why.
 * A reply to the owner's question (an address of purpose `decision`) is read for the owner's
 * decision instead, under the same checks (only the owner's address decides): see decideByReply.
 * Anything else is dropped with its reasons in the log, and no answer: its From is not trusted.
 */
export async function receiveReply(delivery: ReplyDelivery, rawMail: RawMailSource): Promise<ReplyOutcome> {
  const { sesMessageId } = delivery;
  const drop = (reasons: ReplyDropReason[], detail: Record<string, unknown> = {}): ReplyOutcome => {
    logger.warn('inbound reply dropped', {
      sesMessageId,
      reasons,
      from: delivery.envelope.from.map((mailbox) => maskAddress(addressOf(mailbox) ?? mailbox)),
      ...detail,
    });
    return { outcome: 'dropped', reasons };
  };

  if (!replying) return drop(['replies-off']);
  const key = await replying.key.value();
  const check = verifyReplyToken(delivery.token, key);
  if (!check.ok) return drop([`reply-address-${check.reason}`]);
  const { claims } = check;
  const onboardingId = await replying.book.onboardingOf(claims.ref);
  const found = onboardingId ? await store.findOnboardingWeek(onboardingId, claims.week) : undefined;
  if (!onboardingId || !found?.onboarding) return drop(['reply-address-unknown']);
  const { onboarding, week } = found;
  const { plan } = onboarding;

  // The allow-list of a reply is the side it was made for: the owner, or any partner address.
  const own = claims.role === 'owner' ? [plan.owner.email] : plan.partner.emails;
  const screening = screenInbound(delivery.envelope, {
    allowList: { addresses: new Set(own.map((a) => a.toLowerCase())), domains: new Set() },
    inboundAddress: delivery.recipient,
  });
  if (!screening.accepted) {
    return drop(
      screening.reasons.map((reason) =>
        reason === 'sender-not-allowed' ? 'not-the-recipient' : reason,
      ) as ReplyDropReason[],
      { onboardingId, week: claims.week, role: claims.role },
    );
  }

  const messageId = delivery.messageId?.trim() || `ses:${sesMessageId}`;
  const replyKey = messageKey(messageId);
  const answered = await replies.find(replyKey);
  if (answered && answered.state !== 'retry') {
    logger.info('inbound reply already answered', {
      sesMessageId,
      messageKey: replyKey,
      outcome: answered.outcome,
    });
    return { outcome: 'already-answered', onboardingId };
  }

  let raw: Uint8Array;
  try {
    raw = await rawMail.read(sesMessageId);
  } catch (error) {
    if (error instanceof RawMailTooLarge) return drop(['message-too-large'], { onboardingId });
    throw error;
  }
  const parsed = await simpleParser(Buffer.from(raw), { skipTextToHtml: true, skipTextLinks: true });
  const autoReply = autoReplyReason(
    (name) => parsed.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]*:\s*/, ''),
    parsed.subject ?? '',
  );
  if (autoReply) return drop(['auto-reply'], { onboardingId, autoReply });
  // A reply is addressed (To or Cc, which the sender's DKIM signature covers) to the reply address
  // SES received it for. The same signed message sent on to that address by someone else (one the
  // owner wrote to another recipient, starting with "Abort") is not. Read from the parsed message,
  // not from SES's commonHeaders, whose entries can each hold a whole comma-separated list.
  const recipient = delivery.recipient.toLowerCase();
  if (!addressesIn(parsed.to, parsed.cc).includes(recipient)) {
    return drop(['reply-address-not-in-headers'], { onboardingId, week: claims.week, role: claims.role });
  }

  const reply: GenuineReply = {
    sesMessageId,
    onboardingId,
    week: claims.week,
    found: { onboarding, week },
    from: screening.sender,
    replyAddress: recipient,
    replyKey,
    visible: visibleReply(parsed.text ?? ''),
  };
  if (claims.purpose === 'checkin') return answerCheckin(reply, claims.role);
  return (
    (await answerQuestion(reply)) ?? drop(['reply-address-unknown'], { onboardingId, week: claims.week })
  );
}

/** A reply that passed every check: from whom, about what, and what it says above the quote. */
interface GenuineReply {
  sesMessageId: string;
  onboardingId: string;
  week: number;
  found: { onboarding: Onboarding; week: WeekRecord | undefined };
  /** The sender, the side's own address. */
  from: string;
  /** The address it was sent to, which onramp's answer comes from again. */
  replyAddress: string;
  /** The message's key for answering it once. */
  replyKey: string;
  /** What the person wrote, without the quoted email and the signature. */
  visible: string;
}

/**
 * A reply to a week's check-in: recorded as that side's answer (source `email`) when it says a
 * rating and the week is open, and answered with what was recorded, or why nothing was.
 */
async function answerCheckin(reply: GenuineReply, role: ReplyRole): Promise<ReplyOutcome> {
  const { onboardingId, replyKey, sesMessageId } = reply;
  const { onboarding, week } = reply.found;
  const facts = { onboardingId, week: reply.week, role };
  const context: FeedbackReplyContext = {
    plan: onboarding.plan,
    week: { week: reply.week, feedbackDueAt: week?.feedbackDueAt ?? clock.now().toISOString() },
    role,
    to: reply.from,
    replyAddress: reply.replyAddress,
  };
  const notRecorded = async (why: NotRecordedReason): Promise<ReplyOutcome> => {
    const replied = await replies.sendOnce(replyKey, feedbackNotRecordedReply(context, why), {
      outcome: 'feedback-not-recorded',
      onboardingId,
    });
    logger.info('inbound reply not recorded', { sesMessageId, ...facts, reason: why.reason, replied });
    return { outcome: 'feedback-not-recorded', ...facts, reason: why.reason, replied };
  };

  if (ENDED_STATUSES.has(onboarding.status)) return notRecorded({ reason: 'onboarding-ended' });
  // The address outlives the week: after the feedback is due the gate decides, and nothing counts.
  if (!week || week.decision || clock.now().getTime() >= Date.parse(week.feedbackDueAt)) {
    return notRecorded({ reason: 'week-closed' });
  }

  const answer = readAnswer(reply.visible);
  if (!answer.ok) {
    return notRecorded(
      answer.reason === 'rating-out-of-range' ? { reason: answer.reason, given: answer.given } : answer,
    );
  }
  try {
    await recordFeedback(
      {
        ...facts,
        rating: answer.rating,
        ...(answer.comment ? { comment: answer.comment } : {}),
        source: 'email',
        from: reply.from,
      },
      reply.found,
    );
  } catch (error) {
    // Decided between the check above and the write: the gate ran meanwhile.
    if (error instanceof FeedbackInvalid) return notRecorded({ reason: 'week-closed' });
    throw error;
  }
  const replied = await replies.sendOnce(replyKey, feedbackRecordedReply(context, answer), {
    outcome: 'feedback-recorded',
    onboardingId,
  });
  return { outcome: 'feedback-recorded', ...facts, rating: answer.rating, replied };
}

/**
 * A reply to the owner's question (an address of purpose `decision`): read for the owner's
 * decision (decideByReply) and answered with what was decided, or why nothing was. Undefined when
 * there is no such question.
 */
async function answerQuestion(reply: GenuineReply): Promise<ReplyOutcome | undefined> {
  const { onboardingId, replyKey, sesMessageId } = reply;
  // Read afresh, not the copy read before the mail was fetched and parsed: a cancel landing
  // meanwhile must refuse the decision, as it does a link's.
  const question = await findQuestion(onboardingId, reply.week);
  const decided = await decideByReply(question, {
    onboardingId,
    week: reply.week,
    visible: reply.visible,
    from: reply.from,
  });
  if (!decided) return undefined;
  const context: DecisionReplyContext = {
    onboardingId,
    question: decided.question,
    to: reply.from,
    replyAddress: reply.replyAddress,
  };
  const facts = { onboardingId, week: reply.week };
  if (decided.ok) {
    const replied = await replies.sendOnce(replyKey, decisionRecordedReply(context, decided.choice), {
      outcome: 'decision-recorded',
      onboardingId,
    });
    return { outcome: 'decision-recorded', ...facts, choice: decided.choice, replied };
  }
  const replied = await replies.sendOnce(replyKey, decisionNotRecordedReply(context, decided.why), {
    outcome: 'decision-not-recorded',
    onboardingId,
  });
  logger.info('inbound decision not recorded', {
    sesMessageId,
    ...facts,
    reason: decided.why.reason,
    replied,
  });
  return { outcome: 'decision-not-recorded', ...facts, reason: decided.why.reason, replied };
}

/**
 * The owner's reply to their question, read for a decision word (readDecision) and, when it names
 * a choice the question offers, decided through the same path as the link's confirm page
 * (decideAsOwner: the first decision wins, the deadline and an ended onboarding refuse it). A
 * reply not understood is first checked against the question's state, so that a closed question
 * is answered with what happened rather than with how to decide. Undefined: no such question.
 */
async function decideByReply(
  found: StoredQuestion,
  reply: { onboardingId: string; week: number; visible: string; from: string },
): Promise<
  | { ok: true; choice: OwnerChoice; question: DecisionQuestion }
  | { ok: false; why: DecisionNotRecorded; question: DecisionQuestion }
  | undefined
> {
  const open = openQuestion(found, reply.week, clock.now());
  const asked = questionIn(open);
  // The words that count are the choices the stored question offers (those its email listed):
  // the same the decision checks, so a word it offers is never refused as not offered.
  const offered = asked
    ? OWNER_CHOICES.filter((choice) => offersChoice(asked, choice))
    : choicesAbout(reply.week);
  const reading = readDecision(reply.visible, offered);
  if (!reading.ok) {
    if (!open.ok) return refused(open.refusal);
    return { ok: false, why: reading.why, question: open.question };
  }
  const result = await decideAsOwner(
    {
      onboardingId: reply.onboardingId,
      week: reply.week,
      choice: reading.choice,
      by: reply.from,
      via: 'email',
    },
    found,
  );
  if (!result.recorded) return refused(result.refusal, reading.choice);
  return { ok: true, choice: result.choice, question: result.question };
}

/** A refusal as the reply tells it; no question (or a choice it cannot offer) has nobody to tell. */
function refused(refusal: DecisionRefusal, choice?: OwnerChoice) {
  if (refusal.reason === 'not-found' || refusal.reason === 'not-offered') return undefined;
  const why: DecisionNotRecorded = refusal.reason === 'settled' && choice ? { ...refusal, choice } : refusal;
  return { ok: false as const, why, question: refusal.question };
}
