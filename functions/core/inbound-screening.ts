import { type AllowList, addressOf, domainOf, isAllowed } from './inbound-senders.ts';

/** A check SES ran on a received message (`DISABLED`: the receipt rule does not scan). */
export type VerdictStatus = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED' | 'DISABLED';

/** What SES tells about a received message before anyone reads it: its receipt event, in short. */
export interface ReceivedEnvelope {
  /** The From header's mailboxes, as SES lists them (`commonHeaders.from`). */
  from: readonly string[];
  /** The envelope sender (SMTP MAIL FROM), the domain SPF checked (`mail.source`). */
  source: string;
  /** The recipients the receipt rule matched (`receipt.recipients`). */
  recipients: readonly string[];
  verdicts: {
    spf: VerdictStatus;
    dkim: VerdictStatus;
    spam: VerdictStatus;
    virus: VerdictStatus;
    /** Absent on old events; GRAY when the sender's domain publishes no DMARC policy. */
    dmarc?: VerdictStatus;
  };
  /** The Auto-Submitted header (RFC 3834), when the message has one. */
  autoSubmitted?: string;
}

/**
 * Why a message was dropped, safe to log (no address): `spf-FAIL`, `dkim-GRAY`… for a check that
 * did not pass, or one of the named reasons.
 */
export type DropReason =
  | 'not-for-inbound-address'
  | 'auto-submitted'
  | 'from-unreadable'
  | 'sender-not-allowed'
  | 'from-not-authenticated'
  | `${'spf' | 'dkim' | 'spam' | 'virus' | 'dmarc'}-${Exclude<VerdictStatus, 'PASS'>}`;

export type Screening = { accepted: true; sender: string } | { accepted: false; reasons: DropReason[] };

const REQUIRED_PASSES = ['spf', 'dkim', 'spam', 'virus'] as const;

/**
 * Decides from the receipt alone whether a message may start an onboarding, before its content
 * is read: addressed to the inbound address, written by a person (not an auto-reply, which could
 * loop with our own reply), one From address on the allow-list, and SPF, DKIM, spam and virus
 * checks all PASS. Every reason that applies is listed, for the log.
 *
 * The From must be exactly one plain mailbox (see addressOf): a From holding a list, a group or a
 * comment is unreadable, not read for whichever address looks allowed, since DMARC only vouched
 * for one domain in it, and not necessarily the allowed one.
 *
 * SPF and DKIM passing says some domain vouched for the message, not that it is the From's
 * domain: an allow-listed From is only believed when DMARC passed, or, for a domain that
 * publishes no DMARC policy, when the envelope sender that passed SPF is in the From's domain
 * (DMARC's relaxed SPF alignment). A DMARC FAIL is the From domain saying the message is not its.
 */
export function screenInbound(
  envelope: ReceivedEnvelope,
  policy: { allowList: AllowList; inboundAddress: string },
): Screening {
  const reasons: DropReason[] = [];
  const inbound = policy.inboundAddress.toLowerCase();
  if (!envelope.recipients.some((r) => r.toLowerCase() === inbound)) reasons.push('not-for-inbound-address');
  const autoSubmitted = envelope.autoSubmitted?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') reasons.push('auto-submitted');

  for (const check of REQUIRED_PASSES) {
    const status = envelope.verdicts[check];
    if (status !== 'PASS') reasons.push(`${check}-${status}`);
  }
  const dmarc = envelope.verdicts.dmarc;
  if (dmarc === 'FAIL') reasons.push('dmarc-FAIL');

  // Two entries are two mailboxes, even when each reads well: which one would be the sender?
  const sender = envelope.from.length === 1 ? addressOf(envelope.from[0]!) : undefined;
  if (!sender) {
    reasons.push('from-unreadable');
  } else {
    if (!isAllowed(policy.allowList, sender)) reasons.push('sender-not-allowed');
    if (dmarc !== 'PASS' && dmarc !== 'FAIL' && !aligned(domainOf(envelope.source), domainOf(sender))) {
      reasons.push('from-not-authenticated');
    }
  }
  return reasons.length === 0 && sender ? { accepted: true, sender } : { accepted: false, reasons };
}

/** Relaxed alignment, short of a public-suffix list: the same domain, or one inside the other. */
function aligned(a: string, b: string): boolean {
  return a !== '' && b !== '' && (a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`));
}
