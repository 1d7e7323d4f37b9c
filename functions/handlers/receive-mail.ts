import { simpleParser } from 'mailparser';
import { z } from 'zod';
import { clock } from '#adapters/clock';
import { readEmail, readString } from '#adapters/config';
import { inboundRepliesFromEnvironment } from '#adapters/from-environment';
import { type RawMailSource, RawMailTooLarge } from '#adapters/raw-mail-store';
import { refusedReply, startedReply } from '#core/emails/inbound-reply';
import { OnboardingConflict, PlanInvalid, type PlanIssue, problemCount } from '#core/errors';
import {
  type MailPlan,
  messageKey,
  normalizeMessageId,
  type PlanText,
  readMailPlan,
} from '#core/inbound-plan';
import { type DropReason, type ReceivedEnvelope, screenInbound } from '#core/inbound-screening';
import { type AllowList, addressOf, maskAddress, parseAllowList } from '#core/inbound-senders';
import { replyTokenOf } from '#core/reply-address';
import { validatePlan } from '#core/validate-plan';
import { type ReplyOutcome, receiveReply } from './receive-reply.ts';
import { logger } from './shared/logger.ts';
import { store } from './shared/store.ts';
import { startOnboarding } from './start-onboarding.ts';

/** What became of one received message. */
export type InboundOutcome =
  | { outcome: 'dropped'; reasons: DropReason[] }
  /** A reply to a check-in (sent to its signed Reply-To): see receive-reply.ts. */
  | ReplyOutcome
  | { outcome: 'started'; onboardingId: string; created: boolean; replied: boolean }
  | { outcome: 'refused'; problems: PlanIssue[]; replied: boolean }
  /** A message delivered again (same Message-ID) after it was answered: nothing is done twice. */
  | { outcome: 'already-answered'; onboardingId?: string };

function readAllowList(env: NodeJS.ProcessEnv): AllowList {
  const parsed = parseAllowList(readString(env, 'INBOUND_ALLOWED_SENDERS'));
  if (!parsed.ok) {
    throw new Error(`Environment variable INBOUND_ALLOWED_SENDERS ${parsed.problems.join('; ')}`);
  }
  return parsed.allowList;
}

// Read once, at cold start: a malformed allow-list fails the function's first load, naming the variable.
const allowList = readAllowList(process.env);
const inboundAddress = readEmail(process.env, 'INBOUND_ADDRESS');
const replies = inboundRepliesFromEnvironment(process.env);

// An unknown verdict (a status SES adds one day) counts as not passing rather than failing the event.
const verdict = z.object({
  status: z.enum(['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED']).catch('PROCESSING_FAILED'),
});

/** The parts of the SES receipt event (Lambda action) this function reads; the body is in S3. */
const sesReceiptEventSchema = z.object({
  Records: z
    .array(
      z.object({
        eventSource: z.literal('aws:ses'),
        ses: z.object({
          mail: z.object({
            messageId: z.string().regex(/^[\w-]+$/),
            source: z.string(),
            headers: z.array(z.object({ name: z.string(), value: z.string() })).default([]),
            commonHeaders: z.object({
              from: z.array(z.string()).default([]),
              messageId: z.string().optional(),
              subject: z.string().optional(),
            }),
          }),
          receipt: z.object({
            recipients: z.array(z.string()),
            spfVerdict: verdict,
            dkimVerdict: verdict,
            spamVerdict: verdict,
            virusVerdict: verdict,
            dmarcVerdict: verdict.optional(),
          }),
        }),
      }),
    )
    .min(1),
});
type SesRecord = z.output<typeof sesReceiptEventSchema>['Records'][number]['ses'];

/**
 * Starts an onboarding from a plan emailed to the inbound address (an SES receipt event; the raw
 * message is read from `rawMail`), and answers the sender: started, with the id, the ramp and the
 * first check-in, or every problem with the plan. A message from a sender not on the allow-list,
 * or one whose SPF, DKIM, spam or virus check did not pass, is dropped without an answer: its
 * From cannot be trusted, and answering would mail whoever it names. The same Message-ID never
 * starts two onboardings nor gets two answers. A message to a reply address (`<local>+<token>@`
 * the inbound domain) is an answer to a check-in instead, read by receiveReply.
 */
export async function receiveMail(event: unknown, rawMail: RawMailSource): Promise<InboundOutcome[]> {
  const { Records } = sesReceiptEventSchema.parse(event);
  const outcomes: InboundOutcome[] = [];
  for (const record of Records) outcomes.push(await receiveOne(record.ses, rawMail));
  return outcomes;
}

async function receiveOne({ mail, receipt }: SesRecord, rawMail: RawMailSource): Promise<InboundOutcome> {
  const sesMessageId = mail.messageId;
  // Sent to a plus-address of the inbound address: a reply to a check-in, whatever else it is sent to.
  for (const recipient of receipt.recipients) {
    const token = replyTokenOf(recipient, inboundAddress);
    if (token === undefined) continue;
    return receiveReply(
      {
        sesMessageId,
        ...(mail.commonHeaders.messageId ? { messageId: mail.commonHeaders.messageId } : {}),
        subject: mail.commonHeaders.subject ?? '',
        envelope: envelopeOf({ mail, receipt }),
        recipient,
        token,
      },
      rawMail,
    );
  }
  const screening = screenInbound(envelopeOf({ mail, receipt }), { allowList, inboundAddress });
  if (!screening.accepted) {
    logger.warn('inbound mail dropped', {
      sesMessageId,
      reasons: screening.reasons,
      from: mail.commonHeaders.from.map((mailbox) => maskAddress(addressOf(mailbox) ?? mailbox)),
    });
    return { outcome: 'dropped', reasons: screening.reasons };
  }

  // Without a Message-ID, SES's own id keys the message: a redelivery then cannot be recognized.
  const messageId = mail.commonHeaders.messageId?.trim() || `ses:${sesMessageId}`;
  const key = messageKey(messageId);
  // A redelivery stops here, before the message is read: days later its plan might not even be
  // valid any more (a start date now past), yet it was started and answered the first time.
  const answered = await replies.find(key);
  if (answered && answered.state !== 'retry') {
    logger.info('inbound mail already answered', {
      sesMessageId,
      messageKey: key,
      outcome: answered.outcome,
    });
    return {
      outcome: 'already-answered',
      ...(answered.onboardingId ? { onboardingId: answered.onboardingId } : {}),
    };
  }

  const addresses = { to: screening.sender, inboundAddress };
  const subject = mail.commonHeaders.subject ?? '';
  const refuse = async (problems: PlanIssue[], source?: PlanText): Promise<InboundOutcome> => {
    const replied = await replies.sendOnce(key, refusedReply(addresses, { subject, problems, source }), {
      outcome: 'refused',
    });
    logger.info('inbound plan refused', {
      sesMessageId,
      messageKey: key,
      problems: problemCount(problems),
      paths: problems.map((p) => p.path),
      replied,
    });
    return { outcome: 'refused', problems, replied };
  };

  const read = await readPlan(rawMail, sesMessageId);
  if (!read.ok) return refuse(read.problems, read.source);
  const { source } = read;

  // A plan without an id of its own is named from the Message-ID: the same message, the same onboarding.
  const deliveryId = normalizeMessageId(messageId);
  // Validated here too for the warnings, which the reply passes on; startOnboarding validates again.
  const checked = validatePlan(read.value, { now: clock.now().toISOString(), idFrom: { deliveryId } });
  if (!checked.ok) return refuse(checked.issues, source);

  let started: Awaited<ReturnType<typeof startOnboarding>>;
  try {
    started = await startOnboarding({ plan: read.value, deliveryId });
  } catch (error) {
    if (error instanceof PlanInvalid) return refuse(error.issues, source);
    if (error instanceof OnboardingConflict) {
      return refuse(
        [
          {
            path: 'id',
            message: `an onboarding "${error.onboardingId}" already exists with another plan; give this plan another id`,
          },
        ],
        source,
      );
    }
    throw error;
  }
  // The stored plan, not the one just read: when the onboarding existed, its dates are the ones that hold.
  const { plan } = await store.getOnboarding(started.onboardingId);
  // Found existing, a plan named by this Message-ID was started by this very message (an attempt
  // that stopped before replying); only a plan with an id of its own can come from another message.
  const ownId = (read.value as { id?: unknown } | null)?.id !== undefined;
  const reply = startedReply(addresses, {
    onboardingId: started.onboardingId,
    created: started.created || !ownId,
    plan,
    source,
    warnings: checked.warnings,
  });
  const replied = await replies.sendOnce(key, reply, {
    outcome: 'started',
    onboardingId: started.onboardingId,
  });
  logger.info('inbound plan started', {
    sesMessageId,
    messageKey: key,
    onboardingId: started.onboardingId,
    created: started.created,
    replied,
  });
  return { outcome: 'started', onboardingId: started.onboardingId, created: started.created, replied };
}

/** The receipt event in the screening's terms. */
function envelopeOf({ mail, receipt }: SesRecord): ReceivedEnvelope {
  return {
    from: mail.commonHeaders.from,
    source: mail.source,
    recipients: receipt.recipients,
    verdicts: {
      spf: receipt.spfVerdict.status,
      dkim: receipt.dkimVerdict.status,
      spam: receipt.spamVerdict.status,
      virus: receipt.virusVerdict.status,
      ...(receipt.dmarcVerdict ? { dmarc: receipt.dmarcVerdict.status } : {}),
    },
    autoSubmitted: mail.headers.find((h) => h.name.toLowerCase() === 'auto-submitted')?.value,
  };
}

/** The plan in a received message, as written (parsed YAML or JSON), and where it was found. */
async function readPlan(rawMail: RawMailSource, sesMessageId: string): Promise<MailPlan> {
  let raw: Uint8Array;
  try {
    raw = await rawMail.read(sesMessageId);
  } catch (error) {
    if (error instanceof RawMailTooLarge)
      return { ok: false, problems: [{ path: '', message: error.message }] };
    throw error;
  }
  const parsed = await simpleParser(Buffer.from(raw), { skipTextToHtml: true, skipTextLinks: true });
  return readMailPlan(parsed);
}
