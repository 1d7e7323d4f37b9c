import { describe, expect, it } from 'vitest';
import { type ReceivedEnvelope, screenInbound } from '#core/inbound-screening';
import { parseAllowList } from '#core/inbound-senders';

const parsed = parseAllowList('maria@santos-advisory.example, @northbeam-digital.example');
if (!parsed.ok) throw new Error('the test allow-list is malformed');
const policy = { allowList: parsed.allowList, inboundAddress: 'plans@onramp.example' };

/** A message Maria sent herself from her own domain, every check passed. */
function envelope(overrides: Partial<ReceivedEnvelope> = {}): ReceivedEnvelope {
  return {
    from: ['Maria Santos <maria@santos-advisory.example>'],
    source: 'maria@santos-advisory.example',
    recipients: ['plans@onramp.example'],
    verdicts: { spf: 'PASS', dkim: 'PASS', spam: 'PASS', virus: 'PASS', dmarc: 'PASS' },
    ...overrides,
  };
}

const verdicts = (overrides: Partial<ReceivedEnvelope['verdicts']>) => ({
  ...envelope().verdicts,
  ...overrides,
});

describe('screenInbound', () => {
  it('accepts an allow-listed sender whose checks all pass, and names the sender', () => {
    expect(screenInbound(envelope(), policy)).toEqual({
      accepted: true,
      sender: 'maria@santos-advisory.example',
    });
  });

  it('accepts a sender of an allow-listed domain', () => {
    // Prepare
    const dana = envelope({
      from: ['"Whitfield, Dana" <Dana@Northbeam-Digital.example>'],
      source: 'dana@northbeam-digital.example',
    });

    // Act + Assess
    expect(screenInbound(dana, policy)).toEqual({ accepted: true, sender: 'dana@northbeam-digital.example' });
  });

  it('drops a sender who is not on the allow-list', () => {
    // Prepare
    const sam = envelope({
      from: ['Sam Keller <sam@unknown-startup.example>'],
      source: 'sam@unknown-startup.example',
    });

    // Act + Assess
    expect(screenInbound(sam, policy)).toEqual({ accepted: false, reasons: ['sender-not-allowed'] });
  });

  it('drops an allow-listed From whose DKIM failed', () => {
    expect(screenInbound(envelope({ verdicts: verdicts({ dkim: 'FAIL' }) }), policy)).toEqual({
      accepted: false,
      reasons: ['dkim-FAIL'],
    });
  });

  it.each([
    ['spf', 'FAIL', 'spf-FAIL'],
    ['spf', 'GRAY', 'spf-GRAY'],
    ['dkim', 'PROCESSING_FAILED', 'dkim-PROCESSING_FAILED'],
    ['spam', 'FAIL', 'spam-FAIL'],
    ['spam', 'DISABLED', 'spam-DISABLED'],
    ['virus', 'FAIL', 'virus-FAIL'],
    ['dmarc', 'FAIL', 'dmarc-FAIL'],
  ] as const)('drops a message whose %s verdict is %s', (check, status, reason) => {
    expect(screenInbound(envelope({ verdicts: verdicts({ [check]: status }) }), policy)).toEqual({
      accepted: false,
      reasons: [reason],
    });
  });

  it('lists every reason that applies, for the log', () => {
    // Prepare: a forged From sent through another domain's server.
    const forged = envelope({
      source: 'bounce@mailer.bulk-sender.example',
      verdicts: verdicts({ dkim: 'FAIL', spam: 'GRAY', dmarc: 'FAIL' }),
    });

    // Act + Assess
    expect(screenInbound(forged, policy)).toEqual({
      accepted: false,
      reasons: ['dkim-FAIL', 'spam-GRAY', 'dmarc-FAIL'],
    });
  });

  describe('when the From’s domain publishes no DMARC policy (GRAY)', () => {
    it('accepts the From when the envelope sender that passed SPF is in its domain or a subdomain', () => {
      // Prepare
      const viaSubdomain = envelope({
        source: 'prvs=144d0cba7=maria@bounces.santos-advisory.example',
        verdicts: verdicts({ dmarc: 'GRAY' }),
      });

      // Act + Assess
      expect(screenInbound(viaSubdomain, policy)).toMatchObject({ accepted: true });
    });

    it('drops an allow-listed From that SPF and DKIM vouch for on behalf of another domain', () => {
      // Prepare: SPF passed for the sender's own server, DKIM signed by its own domain.
      const spoofed = envelope({
        source: 'bounce@santos-advisory-example.attacker.example',
        verdicts: verdicts({ dmarc: 'GRAY' }),
      });

      // Act + Assess
      expect(screenInbound(spoofed, policy)).toEqual({
        accepted: false,
        reasons: ['from-not-authenticated'],
      });
    });

    it('treats a receipt without a DMARC verdict the same way', () => {
      // Prepare
      const { dmarc: _, ...withoutDmarc } = envelope().verdicts;
      const spoofed = envelope({ source: 'bounce@attacker.example', verdicts: withoutDmarc });

      // Act + Assess
      expect(screenInbound(spoofed, policy)).toEqual({
        accepted: false,
        reasons: ['from-not-authenticated'],
      });
    });
  });

  it('drops a message not addressed to the inbound address (a rule matching a whole domain)', () => {
    expect(screenInbound(envelope({ recipients: ['info@onramp.example'] }), policy)).toEqual({
      accepted: false,
      reasons: ['not-for-inbound-address'],
    });
  });

  it('matches the inbound address in any case', () => {
    expect(screenInbound(envelope({ recipients: ['Plans@Onramp.example'] }), policy)).toMatchObject({
      accepted: true,
    });
  });

  it('drops an auto-reply, so that an out-of-office answer to a reply cannot loop', () => {
    expect(screenInbound(envelope({ autoSubmitted: 'auto-replied' }), policy)).toEqual({
      accepted: false,
      reasons: ['auto-submitted'],
    });
  });

  it('accepts a message that says it was not auto-submitted', () => {
    expect(screenInbound(envelope({ autoSubmitted: 'No' }), policy)).toMatchObject({ accepted: true });
  });

  describe('a From that names an allow-listed address beside the sender’s own', () => {
    // The attacker's own domain passes DMARC, so alignment is not checked against the From read.
    const attacker = {
      source: 'eve@attacker.example',
      verdicts: verdicts({ dmarc: 'PASS' }),
    } satisfies Partial<ReceivedEnvelope>;

    it.each([
      ['in a comment', '<eve@attacker.example> (<maria@santos-advisory.example>)'],
      [
        'as the second mailbox of a list in one entry',
        '<eve@attacker.example>, <maria@santos-advisory.example>',
      ],
      ['as a member of a group', 'grp: eve@attacker.example, <maria@santos-advisory.example>;'],
    ])('is unreadable when the allowed address is %s', (_, from) => {
      expect(screenInbound(envelope({ ...attacker, from: [from] }), policy)).toEqual({
        accepted: false,
        reasons: ['from-unreadable'],
      });
    });

    it('is unreadable as two From entries, the allowed one first', () => {
      // Prepare
      const two = envelope({ ...attacker, from: ['maria@santos-advisory.example', 'eve@attacker.example'] });

      // Act + Assess
      expect(screenInbound(two, policy)).toEqual({ accepted: false, reasons: ['from-unreadable'] });
    });
  });

  it.each([
    ['a quoted display name with a comma', '"Santos, Maria" <maria@santos-advisory.example>'],
    ['an encoded-word display name', '=?UTF-8?Q?Mar=C3=ADa_Santos?= <maria@santos-advisory.example>'],
    ['a bare address', 'maria@santos-advisory.example'],
    ['an address in upper case', 'Maria Santos <MARIA@SANTOS-ADVISORY.EXAMPLE>'],
  ])('accepts a From written as %s', (_, from) => {
    expect(screenInbound(envelope({ from: [from] }), policy)).toEqual({
      accepted: true,
      sender: 'maria@santos-advisory.example',
    });
  });

  it('drops a message with several From addresses or none it can read', () => {
    // Prepare
    const two = envelope({ from: ['maria@santos-advisory.example', 'dana@northbeam-digital.example'] });
    const none = envelope({ from: ['Undisclosed sender'] });

    // Act + Assess
    expect(screenInbound(two, policy)).toEqual({ accepted: false, reasons: ['from-unreadable'] });
    expect(screenInbound(none, policy)).toEqual({ accepted: false, reasons: ['from-unreadable'] });
  });
});
