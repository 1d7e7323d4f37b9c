import type { AddressObject, EmailAddress } from 'mailparser';
import { z } from 'zod';

/**
 * Who may start an onboarding by email: exact addresses (`owner@example.com`) and whole domains
 * (`@example.com`, that domain only, not its subdomains). Everything is compared lower-cased:
 * domains are case-insensitive, and no mail system in use treats local parts otherwise.
 */
export interface AllowList {
  addresses: ReadonlySet<string>;
  domains: ReadonlySet<string>;
}

const isAddress = (value: string) => z.email().safeParse(value).success;

/**
 * Reads an allow-list written as comma-separated entries, as the deploy configuration takes it.
 * Every entry that is neither an address nor an `@domain` is reported, so a typo cannot quietly
 * shut out (or let in) a sender.
 */
export function parseAllowList(
  text: string,
): { ok: true; allowList: AllowList } | { ok: false; problems: string[] } {
  const entries = text
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
  const addresses = new Set<string>();
  const domains = new Set<string>();
  const problems: string[] = [];
  for (const entry of entries) {
    if (entry.startsWith('@') && isAddress(`postmaster${entry}`)) domains.add(entry.slice(1));
    else if (!entry.startsWith('@') && isAddress(entry)) addresses.add(entry);
    else problems.push(`"${entry}" is neither an address (owner@example.com) nor a domain (@example.com)`);
  }
  if (entries.length === 0) problems.push('lists no address or @domain');
  return problems.length > 0 ? { ok: false, problems } : { ok: true, allowList: { addresses, domains } };
}

export function isAllowed(allowList: AllowList, address: string): boolean {
  const normalized = address.toLowerCase();
  return allowList.addresses.has(normalized) || allowList.domains.has(domainOf(normalized));
}

/**
 * One mailbox as RFC 5322 writes it, `display-name <addr-spec>`, and nothing else. The display
 * name is words (atext, `.` and non-ASCII, so encoded words such as `=?UTF-8?Q?Jos=C3=A9?=` too;
 * also `@`, `[` and `]`, which some mailers write unquoted, as in `j@x.example <j@x.example>`:
 * the address is the bracketed one either way, and that is what SPF, DKIM and DMARC vouch for)
 * and quoted strings, which alone may hold `,`, `<` and the like. Every character outside a
 * quoted string is one the class allows, so a comment `(…)`, a list separator or a group's `:`
 * cannot sit there, and `<`, absent from the class, can only open the one address, which must end
 * the entry. The alternatives never overlap, so matching is linear, whatever the input.
 */
const NAME_ADDR = /^(?:[\w\s!#$%&'*+\-/=?^`{|}~.@[\]\u{80}-\u{10FFFF}]|"(?:[^"\\]|\\[\s\S])*")*<([^<>]*)>$/u;

/**
 * The address of one From entry as SES lists it (`commonHeaders.from`), lower-cased, when the
 * entry is exactly one mailbox: a bare `john@example.com`, or a display name then one
 * `<john@example.com>` (`"Doe, John" <john@example.com>`, `=?UTF-8?Q?...?= <john@example.com>`).
 * Anything else is undefined, however many addresses it holds: one SES entry can carry a whole
 * comma-separated list or a group, and a comment may hold a `<…>` of its own; reading any one
 * address out of those would let a sender name someone else's (`<eve@x.example> (<boss@y.example>)`).
 */
export function addressOf(mailbox: string): string | undefined {
  const text = mailbox.trim();
  // Without the name-addr form, only a bare address will do: isAddress refuses spaces, quotes,
  // brackets, parentheses, commas, semicolons, colons and a second `@`.
  const candidate = (NAME_ADDR.exec(text)?.[1] ?? text).trim().toLowerCase();
  return isAddress(candidate) ? candidate : undefined;
}

/** The domain of an address, or of an envelope sender such as `prvs=1a2b=owner@example.com`. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * An address as a log line may show it: enough to tell two senders apart while debugging, not
 * enough to read whom (`m…@s….example`). Logs never carry addresses in clear.
 */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '…';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot >= 0 ? domain.slice(dot) : '';
  return `${local.slice(0, 1)}…@${domain.slice(0, 1)}…${tld}`;
}

/**
 * The addresses of a parsed message's address headers (To and Cc, as mailparser gives them: one
 * object or several, groups inside), lower-cased: whom the sender wrote to.
 */
export function addressesIn(...fields: Array<AddressObject | AddressObject[] | undefined>): string[] {
  const mailboxes = (list: EmailAddress[]): EmailAddress[] =>
    list.flatMap((mailbox) => (mailbox.group ? mailboxes(mailbox.group) : [mailbox]));
  return fields
    .flatMap((field) => (Array.isArray(field) ? field : field ? [field] : []))
    .flatMap((field) => mailboxes(field.value))
    .flatMap((mailbox) => (mailbox.address ? [mailbox.address.toLowerCase()] : []));
}
