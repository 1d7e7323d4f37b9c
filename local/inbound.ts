import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SESEvent } from 'aws-lambda';
import { type ParsedMail, simpleParser } from 'mailparser';
import { MAX_RAW_MAIL_BYTES, type RawMailSource, RawMailTooLarge } from '#adapters/raw-mail-store';
import { normalizeMessageId, readMailPlan } from '#core/inbound-plan';
import type { VerdictStatus } from '#core/inbound-screening';
import { addressesIn } from '#core/inbound-senders';
import { replyTokenOf } from '#core/reply-address';
import { validatePlan } from '#core/validate-plan';
import type { InboundOutcome } from '#handlers/receive-mail';
import { configureLocalInbound, LOCAL_INBOUND_ADDRESS } from './inbound-config.ts';
import type { ReceivedEmail } from './mailbox.ts';
import { printable } from './printable.ts';
import type { LocalRuntime } from './runtime.ts';
import { DEFAULT_SCENARIO, SCENARIOS } from './scenarios.ts';
import { fromUser } from './user-cwd.ts';

export { configureLocalInbound, LOCAL_INBOUND_ADDRESS };

/** The address plans are emailed to, on this machine. */

const MAIL_FOLDER = fileURLToPath(new URL('../.onramp/mail', import.meta.url));
const RUN_DEADLINE_MS = 5 * 60_000;

type Check = 'spf' | 'dkim' | 'dmarc' | 'spam' | 'virus';

/** A message as the local SES receipt rule hands it to the inbound function. */
export interface LocalDelivery {
  event: SESEvent;
  /** The From address the allow-list is checked against. */
  sender: string;
  /** Who SES received it for: the inbound address, or a reply address of it. */
  recipient: string;
  /** Which verdicts the message itself carried (as SES writes them into a stored message); the rest are PASS. */
  verdictsFromMessage: Check[];
  outcome: InboundOutcome;
  /** The reply the SES emulator received, if one was sent. */
  reply?: ReceivedEmail;
}

/**
 * Feeds a raw message (an .eml file's bytes) through the inbound function's own code on the local
 * runtime, as SES receiving would: a receipt event built from the message's headers, and the
 * message itself as the raw mail the function reads.
 *
 * The raw message is handed over from memory rather than through a local S3: no S3 emulator is
 * among the project's dependencies, and the function's only S3 call is one GetObject, covered by
 * its adapter's tests against a mocked client. Everything from the event on (screening, reading
 * the message, the plan, the start, the reply) is the code that runs on AWS.
 *
 * The verdicts are PASS, except those the message carries itself in the headers SES adds to every
 * message it stores (`Authentication-Results`, `X-SES-Spam-Verdict`, `X-SES-Virus-Verdict`): a
 * message downloaded from the raw-mail bucket replays with the verdicts it got on AWS.
 */
export async function deliverLocally(
  runtime: Pick<LocalRuntime, 'mailbox'>,
  raw: Uint8Array,
  options: { from?: string; to?: string } = {},
): Promise<LocalDelivery> {
  configureLocalInbound();
  // Loaded once the environment is set, as a Lambda's code loads after its configuration.
  const { receiveMail } = await import('#handlers/receive-mail');
  const { event, sender, recipient, verdictsFromMessage } = await receiptEvent(raw, options);
  const before = await runtime.mailbox.mark();
  const [outcome] = await receiveMail(event, fileSource(raw));
  // The answer to a plan has the inbound address as its Reply-To; to a check-in reply, the reply address.
  const reply = (await runtime.mailbox.since(before)).find(
    (m) =>
      m.replyTo.some((address) => address.toLowerCase() === recipient) && m.destination.to.includes(sender),
  );
  return { event, sender, recipient, verdictsFromMessage, outcome: outcome!, ...(reply ? { reply } : {}) };
}

/** The message file as the raw mail source, with the same size limit as the S3 adapter. */
function fileSource(raw: Uint8Array): RawMailSource {
  return {
    read: async () => {
      if (raw.byteLength > MAX_RAW_MAIL_BYTES) throw new RawMailTooLarge(raw.byteLength);
      return raw;
    },
  };
}

/** The SES receipt event (Lambda action) SES would send for this message to the inbound address. */
async function receiptEvent(
  raw: Uint8Array,
  options: { from?: string; to?: string },
): Promise<Pick<LocalDelivery, 'event' | 'sender' | 'recipient' | 'verdictsFromMessage'>> {
  const parsed = await simpleParser(Buffer.from(raw), { skipHtmlToText: true, skipTextToHtml: true });
  const recipient = options.to?.toLowerCase() ?? recipientOf(parsed);
  const header = (name: string) => parsed.headerLines.find((h) => h.key === name)?.line;
  const headerValue = (line: string | undefined) => line?.slice(line.indexOf(':') + 1).trim();
  const fromHeader = parsed.from?.value ?? [];
  const sender = (options.from ?? fromHeader[0]?.address ?? '').toLowerCase();
  const returnPath = headerValue(header('return-path'))?.replace(/^<|>$/g, '');
  const verdicts = messageVerdicts(headerValue(header('authentication-results')), {
    spam: headerValue(header('x-ses-spam-verdict')),
    virus: headerValue(header('x-ses-virus-verdict')),
  });
  const status = (check: Check) => ({ status: verdicts[check] ?? ('PASS' as VerdictStatus) });
  const sesMessageId = `local-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`;
  const timestamp = new Date().toISOString();
  const from = options.from
    ? [options.from]
    : fromHeader.map((m) => (m.name ? `"${m.name.replace(/"/g, '')}" <${m.address}>` : (m.address ?? '')));
  const event: SESEvent = {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp,
            source: options.from ?? returnPath ?? sender,
            messageId: sesMessageId,
            destination: [recipient],
            headersTruncated: false,
            headers: parsed.headerLines.map((h) => ({
              name: h.line.slice(0, h.line.indexOf(':')),
              value: headerValue(h.line)!,
            })),
            commonHeaders: {
              returnPath: returnPath ?? sender,
              from,
              date: parsed.date?.toUTCString() ?? '',
              to: addressesIn(parsed.to),
              cc: addressesIn(parsed.cc),
              messageId: parsed.messageId ? `<${parsed.messageId.replace(/^<|>$/g, '')}>` : '',
              subject: parsed.subject ?? '',
            },
          },
          receipt: {
            timestamp,
            processingTimeMillis: 0,
            recipients: [recipient],
            spfVerdict: status('spf'),
            dkimVerdict: status('dkim'),
            dmarcVerdict: status('dmarc'),
            spamVerdict: status('spam'),
            virusVerdict: status('virus'),
            action: {
              type: 'Lambda',
              functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:onramp-local-InboundMail',
              invocationType: 'Event',
            },
          },
        },
      },
    ],
  };
  if (!parsed.messageId)
    delete (event.Records[0]!.ses.mail.commonHeaders as { messageId?: string }).messageId;
  return { event, sender, recipient, verdictsFromMessage: Object.keys(verdicts) as Check[] };
}

/**
 * The address the local receipt rule takes the message for: a reply address of the inbound
 * address among its To and Cc (a reply to a check-in), else the inbound address itself, whatever
 * the message was addressed to (a saved message can be replayed as a plan sent here).
 */
function recipientOf(parsed: ParsedMail): string {
  const listed = addressesIn(parsed.to, parsed.cc);
  return listed.find((address) => replyTokenOf(address, LOCAL_INBOUND_ADDRESS)) ?? LOCAL_INBOUND_ADDRESS;
}

/**
 * The verdicts a stored message carries: SES's `Authentication-Results` (spf=, dkim=, dmarc=)
 * and its spam and virus headers, in the receipt event's words.
 */
function messageVerdicts(
  authenticationResults: string | undefined,
  scans: { spam?: string; virus?: string },
): Partial<Record<Check, VerdictStatus>> {
  const verdicts: Partial<Record<Check, VerdictStatus>> = {};
  for (const [, check, result] of (authenticationResults ?? '').matchAll(/\b(spf|dkim|dmarc)=([a-z]+)/gi)) {
    verdicts[check!.toLowerCase() as Check] ??= statusOf(result!);
  }
  if (scans.spam) verdicts.spam = statusOf(scans.spam);
  if (scans.virus) verdicts.virus = statusOf(scans.virus);
  return verdicts;
}

function statusOf(result: string): VerdictStatus {
  switch (result.toLowerCase()) {
    case 'pass':
      return 'PASS';
    case 'fail':
    case 'softfail':
    case 'hardfail':
      return 'FAIL';
    case 'temperror':
    case 'permerror':
    case 'processing_failed':
      return 'PROCESSING_FAILED';
    case 'disabled':
      return 'DISABLED';
    default:
      return 'GRAY';
  }
}

/** What a person running `onramp inbound` can do about a drop they did not mean. */
const DROP_HINTS: Readonly<Record<string, string>> = {
  'from-unreadable':
    'No single From address could be read: is the file a raw email (.eml)? For one without a From, pass --from ADDRESS.',
  'reply-address-forged':
    "Reply addresses are signed with this run's key: a reply saved from another run, or from AWS, cannot be matched here.",
};

/**
 * What the `inbound` command prints: what was received, what became of it, and the reply; the
 * message's own text (subject, sender, comment) shown, not acted on, by the terminal.
 */
export function describeDelivery(delivery: LocalDelivery): string {
  const { outcome, reply } = delivery;
  const given = delivery.verdictsFromMessage;
  const verdicts = delivery.event.Records[0]!.ses.receipt;
  const lines = [
    `  from ${delivery.sender || '(no From address)'} to ${delivery.recipient}`,
    `  verdicts: SPF ${verdicts.spfVerdict.status}, DKIM ${verdicts.dkimVerdict.status}, DMARC ${verdicts.dmarcVerdict.status}, spam ${verdicts.spamVerdict.status}, virus ${verdicts.virusVerdict.status}` +
      (given.length === 5
        ? ' (as the message records them)'
        : given.length > 0
          ? ` (${given.join(', ')} as the message records them; the rest PASS: nothing checks mail locally)`
          : ' (PASS: nothing checks mail locally)'),
    `  allowed senders: ${process.env.INBOUND_ALLOWED_SENDERS}`,
    '',
  ];
  switch (outcome.outcome) {
    case 'dropped':
      lines.push(`Dropped, without a reply: ${outcome.reasons.join(', ')}.`);
      for (const reason of outcome.reasons) {
        const hint = DROP_HINTS[reason];
        if (hint) lines.push(`  ${hint}`);
      }
      break;
    case 'already-answered':
      lines.push(
        `Already answered: this Message-ID was received before${outcome.onboardingId ? ` and started ${outcome.onboardingId}` : ''}; nothing was done again.`,
      );
      break;
    case 'refused':
      lines.push(
        `Refused: nothing was started (${outcome.problems.length} problem${outcome.problems.length === 1 ? '' : 's'}).`,
      );
      break;
    case 'started':
      lines.push(`${outcome.created ? 'Started' : 'Found started'}: onboarding ${outcome.onboardingId}.`);
      break;
    case 'feedback-recorded':
      lines.push(
        `Recorded: the ${outcome.role}'s answer to week ${outcome.week} of ${outcome.onboardingId}, ${outcome.rating} of 5.`,
      );
      break;
    case 'feedback-not-recorded':
      lines.push(
        `Not recorded (${outcome.reason}): the ${outcome.role}'s reply to week ${outcome.week} of ${outcome.onboardingId}.`,
      );
      break;
    case 'decision-recorded':
      lines.push(
        `Decided: the owner's reply ${questionOf(outcome.week)} of ${outcome.onboardingId}, ${outcome.choice}.`,
      );
      break;
    case 'decision-not-recorded':
      lines.push(
        `Nothing decided (${outcome.reason}): the owner's reply ${questionOf(outcome.week)} of ${outcome.onboardingId}.`,
      );
      break;
  }
  if (reply) {
    lines.push(
      '',
      `Reply to ${reply.destination.to.join(', ')} — "${reply.subject}"`,
      '',
      ...(reply.body.text ?? '')
        .trimEnd()
        .split('\n')
        .map((line) => `  ${line}`),
    );
  }
  return printable(lines.join('\n'));
}

/** Which question of an onboarding a decision reply answers, in words. */
function questionOf(week: number): string {
  return week === 0 ? 'before the kickoff' : `after week ${week}`;
}

/**
 * The id of the onboarding a message will start if its plan is valid, worked out as the inbound
 * function does (the plan's own id, else one from the title and the Message-ID): the local run
 * needs it before the delivery, so that the scripted people answer from its first week on.
 */
export async function plannedOnboardingId(raw: Uint8Array): Promise<string | undefined> {
  const parsed = await simpleParser(Buffer.from(raw), { skipTextToHtml: true, skipTextLinks: true });
  const read = readMailPlan(parsed);
  if (!read.ok || !parsed.messageId) return undefined;
  const checked = validatePlan(read.value, {
    now: new Date().toISOString(),
    idFrom: { deliveryId: normalizeMessageId(parsed.messageId) },
  });
  return checked.ok ? checked.plan.id : undefined;
}

/**
 * `onramp inbound FILE.eml [--from ADDRESS]`: boots the local runtime, delivers the message to the
 * inbound function and prints what became of it and the reply; an onboarding it started then runs
 * to its end in virtual time with both sides answering well (the `steady` scenario), and every
 * email goes to .onramp/mail. Exits 0 when it started an onboarding, recorded an answer or a
 * decision (or was answered before), 1 when it was refused, dropped or not recorded, 2 when the
 * file cannot be read.
 */
export async function inboundCommand(file: string, options: { from?: string }): Promise<number> {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    console.error(`${file}: cannot read the message: ${reason}`);
    return 2;
  }
  const [{ startLocalRuntime }, { writeMailFolder }] = await Promise.all([
    import('./runtime.ts'),
    import('./mail-files.ts'),
  ]);
  const runtime = await startLocalRuntime();
  try {
    console.log(`onramp, local delivery of ${fromUser(file)}`);
    const planned = await plannedOnboardingId(raw);
    if (planned) runtime.simulation.play(planned, SCENARIOS[DEFAULT_SCENARIO]!);
    const delivery = await deliverLocally(runtime, raw, options);
    console.log(describeDelivery(delivery));
    const { outcome } = delivery;
    if (outcome.outcome === 'started' && outcome.created) {
      const execution = runtime.stepFunctions.get(outcome.onboardingId);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        execution.done,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, RUN_DEADLINE_MS);
        }),
      ]);
      clearTimeout(timer);
      const weeks = await runtime.store.listWeeks(outcome.onboardingId);
      const index = await writeMailFolder(MAIL_FOLDER, await runtime.mailbox.list());
      console.log(
        `\nThen the onboarding ran in virtual time, both sides answering well (scenario ${DEFAULT_SCENARIO}): ` +
          `${execution.status} after ${weeks.length} weeks. Read every email in ${fromUser(index)}; ` +
          '`npm start -- --plan FILE` prints such a run week by week.',
      );
    }
    return ['started', 'already-answered', 'feedback-recorded', 'decision-recorded'].includes(outcome.outcome)
      ? 0
      : 1;
  } finally {
    await runtime.stop();
  }
}
