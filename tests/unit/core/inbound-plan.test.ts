import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  findPlanText,
  type MailAttachment,
  messageKey,
  normalizeMessageId,
  withoutSignature,
} from '#core/inbound-plan';

const file = (
  filename: string | undefined,
  text: string,
  contentType = 'application/octet-stream',
): MailAttachment => ({
  ...(filename ? { filename } : {}),
  contentType,
  content: new TextEncoder().encode(text),
});

describe('findPlanText', () => {
  it('takes the first .yaml, .yml or .json attachment over the body, skipping other files', () => {
    // Prepare
    const mail = {
      attachments: [
        file('logo.png', '\x89PNG', 'image/png'),
        file('Plan.YML', 'title: first'),
        file('plan.json', '{"title": "second"}'),
      ],
      text: 'title: from the body',
    };

    // Act + Assess
    expect(findPlanText(mail)).toEqual({ from: 'attachment', filename: 'Plan.YML', text: 'title: first' });
  });

  it('takes an unnamed attachment typed as YAML or JSON', () => {
    // Prepare
    const mail = { attachments: [file(undefined, '{"title": "x"}', 'application/json')] };

    // Act + Assess
    expect(findPlanText(mail)).toMatchObject({ from: 'attachment', text: '{"title": "x"}' });
  });

  it('reads an attachment as UTF-8 without a byte order mark', () => {
    expect(findPlanText({ attachments: [file('plan.yaml', '\uFEFFtitle: Café')] })).toMatchObject({
      text: 'title: Café',
    });
  });

  it('falls back to the plain-text body, without the signature', () => {
    // Prepare
    const mail = {
      attachments: [file('notes.txt', 'title: not a plan file', 'text/plain')],
      text: 'title: Support handover\nramp: { targetWeeklyVolume: 300 }\n\n-- \nPriya Nair\nHollow Oak Coffee\n',
    };

    // Act + Assess
    expect(findPlanText(mail)).toEqual({
      from: 'body',
      text: 'title: Support handover\nramp: { targetWeeklyVolume: 300 }',
    });
  });

  it('turns the no-break spaces some mail clients indent with into spaces', () => {
    expect(findPlanText({ attachments: [], text: 'ramp:\n\u00A0\u00A0targetWeeklyVolume: 40' })).toEqual({
      from: 'body',
      text: 'ramp:\n  targetWeeklyVolume: 40',
    });
  });

  it('finds nothing in an email with an empty body and no plan file', () => {
    expect(
      findPlanText({ attachments: [file('scan.pdf', '%PDF', 'application/pdf')], text: ' \n-- \nMaria' }),
    ).toBeUndefined();
  });
});

describe('withoutSignature', () => {
  it('cuts at the last delimiter line, with or without its trailing space', () => {
    expect(withoutSignature('a: 1\r\n-- \r\nfirst\r\n--\r\nsecond')).toBe('a: 1\n-- \nfirst');
  });

  it('keeps a text without a delimiter, and lines that only start with dashes', () => {
    expect(withoutSignature('---\na: 1\n-- not a delimiter')).toBe('---\na: 1\n-- not a delimiter');
  });
});

describe('normalizeMessageId', () => {
  it('drops the angle brackets and the space around a Message-ID', () => {
    expect(normalizeMessageId(' <abc=1@mail.example> ')).toBe('abc=1@mail.example');
  });
});

describe('messageKey', () => {
  it('is the SHA-256 of the Message-ID without its angle brackets', () => {
    const expected = createHash('sha256').update('abc@mail.example').digest('hex');
    expect(messageKey('<abc@mail.example>')).toBe(expected);
    expect(messageKey(' abc@mail.example ')).toBe(expected);
  });
});
