/** An email as the SES emulator received it. */
export interface ReceivedEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  /** Files attached (the check-in's calendar event); `content` is base64. */
  attachments?: Array<{ filename?: string; contentType: string; content: string; size: number }>;
  /** Epoch seconds of real time, as the emulator stamps it (not the virtual clock). */
  at: number;
}

/**
 * Reads the SES emulator's outbox over its HTTP API (`GET /store`). Lookups by message id go
 * through an index of what was read before: each look reads only what arrived since the last one
 * (the emulator answers `GET /store` with every email, and a simulation looks up one message per
 * answer: reading the whole store each time would cost in proportion to all the mail ever sent).
 */
export class Mailbox {
  private readonly known = new Map<string, ReceivedEmail>();
  /** The emulator's time stamp (whole epoch seconds) of the latest email indexed. */
  private latest = 0;
  /** The read under way: lookups that arrive meanwhile share it rather than read again. */
  private reading: Promise<void> | undefined;

  constructor(readonly endpoint: string) {}

  /** The email SES answered with this message id, or undefined if the emulator has none. */
  async get(messageId: string): Promise<ReceivedEmail | undefined> {
    // A read already under way may have started before this email arrived: then one more.
    for (let reads = 0; reads < 2 && !this.known.has(messageId); reads++) await this.refresh();
    return this.known.get(messageId);
  }

  /** The ids of every email indexed so far, after reading what is new: a mark to compare with later. */
  async mark(): Promise<Set<string>> {
    await this.refresh();
    return new Set(this.known.keys());
  }

  /** The emails received after `mark` was taken. */
  async since(mark: Set<string>): Promise<ReceivedEmail[]> {
    await this.refresh();
    return [...this.known.values()].filter((m) => !mark.has(m.messageId));
  }

  /** Indexes what arrived since the last look (the last second again: stamps are whole seconds). */
  private refresh(): Promise<void> {
    this.reading ??= this.list(this.latest)
      .then((emails) => {
        for (const email of emails) {
          this.known.set(email.messageId, email);
          this.latest = Math.max(this.latest, email.at);
        }
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }

  /**
   * Every email the emulator received, or those received since `sinceSeconds` (epoch seconds of
   * real time, as the emulator stamps them): a recent email is found without reading them all.
   */
  async list(sinceSeconds?: number): Promise<ReceivedEmail[]> {
    const query = sinceSeconds === undefined ? '' : `?since=${Math.floor(sinceSeconds)}`;
    const response = await fetch(`${this.endpoint}/store${query}`);
    if (!response.ok) throw new Error(`The SES emulator answered ${response.status} to GET /store`);
    return ((await response.json()) as { emails: ReceivedEmail[] }).emails;
  }
}
