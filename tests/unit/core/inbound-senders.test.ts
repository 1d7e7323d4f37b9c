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

  it('takes the last angle brackets: a quoted display name may contain an address of its own', () => {
    expect(addressOf('"maria@santos-advisory.example" <eve@attacker.example>')).toBe('eve@attacker.example');
  });

  it('finds nothing in a mailbox without an address', () => {
    expect(addressOf('Undisclosed recipients')).toBeUndefined();
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
