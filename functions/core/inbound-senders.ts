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
 * The address in one mailbox of a From header as SES lists it (`"Doe, John" <john@example.com>`
 * or a bare `john@example.com`), lower-cased; undefined when there is none. The address is the
 * last `<…>`: a display name may itself contain angle brackets inside quotes.
 */
export function addressOf(mailbox: string): string | undefined {
  const open = mailbox.lastIndexOf('<');
  const close = mailbox.lastIndexOf('>');
  const candidate = (open >= 0 && close > open ? mailbox.slice(open + 1, close) : mailbox)
    .trim()
    .toLowerCase();
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
