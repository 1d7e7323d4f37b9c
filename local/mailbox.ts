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

/** Reads the SES emulator's outbox over its HTTP API (`GET /store`). */
export class Mailbox {
  constructor(readonly endpoint: string) {}

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
