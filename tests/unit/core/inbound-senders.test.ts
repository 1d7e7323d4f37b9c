import { describe, expect, it } from 'vitest';
import { type AllowList, addressOf, isAllowed, maskAddress, parseAllowList } from '#core/inbound-senders';

function allowList(text: string): AllowList {
  const parsed = parseAllowList(text);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.allowList;
}

describe('parseAllowList', () => {
  it('reads addresses and @domains, trimmed and lower-cased, skipping empty entries', () => {
    // Act
    const parsed = parseAllowList(' Maria@Santos-Advisory.example, @Northbeam-Digital.example ,, ');

    // Assess
    expect(parsed).toEqual({
      ok: true,
      allowList: {
        addresses: new Set(['maria@santos-advisory.example']),
        domains: new Set(['northbeam-digital.example']),
      },
    });
  });

  it('names every entry that is neither an address nor a domain, and what is allowed', () => {
    // Act
    const parsed = parseAllowList('maria@santos-advisory.example, santos-advisory.example, @, ops@');

    // Assess
    expect(parsed).toEqual({
      ok: false,
      problems: [
        '"santos-advisory.example" is neither an address (owner@example.com) nor a domain (@example.com)',
        '"@" is neither an address (owner@example.com) nor a domain (@example.com)',
        '"ops@" is neither an address (owner@example.com) nor a domain (@example.com)',
      ],
    });
  });

  it('refuses a list with no entry at all', () => {
    expect(parseAllowList(' , ')).toEqual({ ok: false, problems: ['lists no address or @domain'] });
  });
});

describe('isAllowed', () => {
  const list = allowList('maria@santos-advisory.example,@northbeam-digital.example');

  it('allows a listed address in any case', () => {
    expect(isAllowed(list, 'MARIA@santos-advisory.EXAMPLE')).toBe(true);
  });

  it('allows any address of a listed domain', () => {
    expect(isAllowed(list, 'dana@northbeam-digital.example')).toBe(true);
  });

  it('does not allow another address of a listed address’s domain', () => {
    expect(isAllowed(list, 'accounts@santos-advisory.example')).toBe(false);
  });

  it('does not allow a subdomain, nor a domain that merely ends like a listed one', () => {
    expect(isAllowed(list, 'dana@mail.northbeam-digital.example')).toBe(false);
    expect(isAllowed(list, 'eve@evil-northbeam-digital.example')).toBe(false);
  });
});

describe('addressOf', () => {
  it('reads the address of a mailbox with a display name, as SES lists From', () => {
    expect(addressOf('"Doe, John" <John.Doe@Example.com>')).toBe('john.doe@example.com');
  });

  it('reads a bare address', () => {
    expect(addressOf(' maria@santos-advisory.example ')).toBe('maria@santos-advisory.example');
  });

  it('reads a bare address in upper case, lower-cased', () => {
    expect(addressOf('MARIA@SANTOS-ADVISORY.EXAMPLE')).toBe('maria@santos-advisory.example');
  });

  it('reads a mailbox whose display name is an encoded word, as a client sends a non-ASCII name', () => {
    expect(addressOf('=?UTF-8?Q?Mar=C3=ADa_Santos?= <maria@santos-advisory.example>')).toBe(
      'maria@santos-advisory.example',
    );
    expect(addressOf('=?UTF-8?B?TWFyw61hIFNhbnRvcw==?= <maria@santos-advisory.example>')).toBe(
      'maria@santos-advisory.example',
    );
  });

  it('reads a mailbox whose display name is plain words, decoded or not, with dots and apostrophes', () => {
    expect(addressOf("Dr. Seán O'Brien <sean@santos-advisory.example>")).toBe('sean@santos-advisory.example');
  });

  it('reads a mailbox without a display name', () => {
    expect(addressOf('<maria@santos-advisory.example>')).toBe('maria@santos-advisory.example');
  });

  it('reads the angle address, not an address quoted in the display name', () => {
    expect(addressOf('"maria@santos-advisory.example" <eve@attacker.example>')).toBe('eve@attacker.example');
    expect(addressOf('"<maria@santos-advisory.example>, (x)" <eve@attacker.example>')).toBe(
      'eve@attacker.example',
    );
  });

  it('reads the angle address after an unquoted display name with an @ or brackets, as some mailers write', () => {
    expect(addressOf('j.costa@northbeam-digital.example <j.costa@northbeam-digital.example>')).toBe(
      'j.costa@northbeam-digital.example',
    );
    expect(addressOf('eve@attacker.example <maria@santos-advisory.example>')).toBe(
      'maria@santos-advisory.example',
    );
    expect(addressOf('Smith [ACME] <j@acme.example>')).toBe('j@acme.example');
  });

  it('reads a quoted display name holding an escaped quote', () => {
    expect(addressOf('"Maria \\"MS\\" Santos" <maria@santos-advisory.example>')).toBe(
      'maria@santos-advisory.example',
    );
  });

  it('finds nothing in a mailbox without an address', () => {
    expect(addressOf('Undisclosed recipients')).toBeUndefined();
  });

  it.each([
    ['a comment after the address', '<eve@attacker.example> (<maria@santos-advisory.example>)'],
    ['a comment before the address', '(<eve@attacker.example>) <maria@santos-advisory.example>'],
    ['a comment after a bare address', 'maria@santos-advisory.example (Maria Santos)'],
    ['a list of two mailboxes in one entry', '<eve@attacker.example>, <maria@santos-advisory.example>'],
    ['a list of two bare addresses in one entry', 'eve@attacker.example, maria@santos-advisory.example'],
    ['a list separated by a semicolon', '<eve@attacker.example>; <maria@santos-advisory.example>'],
    ['a group', 'grp: eve@attacker.example, <maria@santos-advisory.example>;'],
    ['a group of one', 'grp: <maria@santos-advisory.example>;'],
    ['two angle addresses', '<eve@attacker.example> <maria@santos-advisory.example>'],
    ['an unquoted display name with a comma', 'Santos, Maria <maria@santos-advisory.example>'],
    ['an unterminated quoted display name', '"Maria <eve@attacker.example>'],
    ['a display name whose closing quote is escaped', '"Maria\\" <maria@santos-advisory.example>'],
    ['an address with two @', '<eve@attacker.example@santos-advisory.example>'],
  ])('finds nothing in %s, however allowed one address in it looks', (_, mailbox) => {
    expect(addressOf(mailbox)).toBeUndefined();
  });
});

describe('maskAddress', () => {
  it('keeps the first letters and the top-level domain only', () => {
    expect(maskAddress('maria@santos-advisory.example')).toBe('m…@s….example');
  });

  it('shows nothing of a string that is not an address', () => {
    expect(maskAddress('Undisclosed recipients')).toBe('…');
  });
});
