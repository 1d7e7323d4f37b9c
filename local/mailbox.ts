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

  async list(): Promise<ReceivedEmail[]> {
    const response = await fetch(`${this.endpoint}/store`);
    if (!response.ok) throw new Error(`The SES emulator answered ${response.status} to GET /store`);
    return ((await response.json()) as { emails: ReceivedEmail[] }).emails;
  }
}
