import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type MailAttachment,
  messageKey,
  normalizeMessageId,
  readMailPlan,
  withoutQuotedMessage,
  withoutSignature,
} from '#core/inbound-plan';

const file = (
  filename: string | undefined,
  text: string | Uint8Array,
  contentType = 'application/octet-stream',
  charset?: string,
): MailAttachment => ({
  ...(filename ? { filename } : {}),
  contentType,
  content: typeof text === 'string' ? new TextEncoder().encode(text) : text,
  // As mailparser gives a part's Content-Type: the value and its parameters.
  ...(charset ? { headers: new Map([['content-type', { value: contentType, params: { charset } }]]) } : {}),
});

/** The one problem an email was refused with. */
function refusal(read: ReturnType<typeof readMailPlan>): string {
  if (read.ok) throw new Error('expected the email to be refused');
  expect(read.problems).toHaveLength(1);
  expect(read.problems[0]!.path).toBe('');
  return read.problems[0]!.message;
}

/** A plan in the body as a mail client sends it (a YAML comment, a `---` line, block scalars). */
const PLAN_IN_BODY = [
  '# Corrected, as you asked',
  '---',
  'title: Payroll handover',
  'tasks:',
  '  - id: payslips',
  '    deliverable: >',
  '      Payslips for every employee,',
  '      ready for approval',
  '    notes: |',
  '      Each with the note:',
  '      > Questions go to payroll@santos-advisory.example',
  '      >> and never to the partner',
].join('\n');

const PLAN_IN_BODY_VALUE = {
  title: 'Payroll handover',
  tasks: [
    {
      id: 'payslips',
      deliverable: 'Payslips for every employee, ready for approval\n',
      notes:
        'Each with the note:\n> Questions go to payroll@santos-advisory.example\n>> and never to the partner\n',
    },
  ],
};

describe('readMailPlan: a plan attached', () => {
  it('reads the .yaml, .yml or .json attachment over the body, skipping other files', () => {
    // Prepare
    const mail = {
      attachments: [file('logo.png', '\x89PNG', 'image/png'), file('Plan.YML', 'title: first')],
      text: 'title: from the body',
    };

    // Act + Assess
    expect(readMailPlan(mail)).toEqual({
      ok: true,
      source: { from: 'attachment', filename: 'Plan.YML', text: 'title: first' },
      value: { title: 'first' },
    });
  });

  it('takes an unnamed attachment typed as YAML or JSON', () => {
    // Prepare
    const mail = { attachments: [file(undefined, '{"title": "x"}', 'application/json')] };

    // Act + Assess
    expect(readMailPlan(mail)).toMatchObject({
      ok: true,
      source: { from: 'attachment' },
      value: { title: 'x' },
    });
  });

  it('reads an attachment as UTF-8 without a byte order mark', () => {
    expect(readMailPlan({ attachments: [file('plan.yaml', '\uFEFFtitle: Café')] })).toMatchObject({
      source: { text: 'title: Café' },
      value: { title: 'Café' },
    });
  });

  it('reports the YAML problems of an attached plan, with where the plan was found', () => {
    expect(readMailPlan({ attachments: [file('plan.yaml', 'title: a\ntitle: b\n')] })).toEqual({
      ok: false,
      problems: [{ path: '', message: 'line 2, column 1: not valid YAML or JSON (DUPLICATE_KEY)' }],
      source: { from: 'attachment', filename: 'plan.yaml', text: 'title: a\ntitle: b\n' },
    });
  });

  it('refuses an email with several plan files, naming them, rather than reading the first', () => {
    // Prepare
    const mail = {
      attachments: [
        file('plan.yaml', 'title: first'),
        file('notes.txt', 'not a plan', 'text/plain'),
        file('second.yml', 'title: second'),
        file(undefined, '{"title": "third"}', 'application/json'),
      ],
    };

    // Act + Assess
    expect(refusal(readMailPlan(mail))).toBe(
      'several plan attachments: plan.yaml, second.yml, an unnamed application/json attachment; send one plan per email',
    );
  });
});

describe('readMailPlan: the charset of an attached plan', () => {
  it('decodes the charset the attachment declares', () => {
    // Prepare: "Müller, 40 €" in windows-1252, where the euro sign is 0x80 (Latin-1 has none)
    const bytes = Uint8Array.from([
      ...new TextEncoder().encode('partner: M'),
      0xfc,
      ...new TextEncoder().encode('ller, 40 '),
      0x80,
    ]);
    const mail = { attachments: [file('plan.yaml', bytes, 'application/x-yaml', 'windows-1252')] };

    // Act + Assess
    expect(readMailPlan(mail)).toMatchObject({ ok: true, value: { partner: 'Müller, 40 €' } });
  });

  it('refuses an attachment that is not text in the charset it declares', () => {
    // Prepare: Latin-1 bytes ("Café") declared as UTF-8
    const bytes = Uint8Array.from([...new TextEncoder().encode('title: Caf'), 0xe9]);
    const mail = { attachments: [file('plan.yaml', bytes, 'text/yaml', 'utf-8')] };

    // Act + Assess
    expect(refusal(readMailPlan(mail))).toBe(
      'plan.yaml is not utf-8 text, the charset it declares; save the plan as UTF-8 and send it again',
    );
  });

  it('refuses an attachment that declares no charset and is not UTF-8', () => {
    const bytes = Uint8Array.from([...new TextEncoder().encode('title: Caf'), 0xe9]);

    expect(refusal(readMailPlan({ attachments: [file('plan.yaml', bytes)] }))).toBe(
      'plan.yaml is not UTF-8 text (it declares no charset); save the plan as UTF-8 and send it again',
    );
  });

  it('refuses an attachment in a charset that is not known', () => {
    const mail = { attachments: [file('plan.yaml', 'title: x', 'text/yaml', 'x-mac-klingon')] };

    expect(refusal(readMailPlan(mail))).toBe(
      'plan.yaml declares the charset "x-mac-klingon", which is not one we can read; save the plan as UTF-8 and send it again',
    );
  });
});

describe('readMailPlan: a plan in the body', () => {
  it('reads a plan pasted as one long line of JSON as it is, quoting nothing', () => {
    // A minified plan: one line of 150 KB, which the reply parser's patterns would take minutes over.
    const plan = { title: 'Support handover', notes: 'n'.repeat(150_000) };

    const read = readMailPlan({ attachments: [], text: JSON.stringify(plan) });

    expect(read).toMatchObject({ ok: true, source: { from: 'body' }, value: plan });
  });

  it('falls back to the plain-text body, without the signature', () => {
    // Prepare
    const mail = {
      attachments: [],
      text: 'title: Support handover\nramp: { targetWeeklyVolume: 300 }\n\n-- \nPriya Nair\nHollow Oak Coffee\n',
    };

    // Act + Assess
    expect(readMailPlan(mail)).toEqual({
      ok: true,
      source: { from: 'body', text: 'title: Support handover\nramp: { targetWeeklyVolume: 300 }' },
      value: { title: 'Support handover', ramp: { targetWeeklyVolume: 300 } },
    });
  });

  it('turns the no-break spaces some mail clients indent with into spaces', () => {
    expect(
      readMailPlan({ attachments: [], text: 'ramp:\n\u00A0\u00A0targetWeeklyVolume: 40' }),
    ).toMatchObject({
      source: { from: 'body', text: 'ramp:\n  targetWeeklyVolume: 40' },
      value: { ramp: { targetWeeklyVolume: 40 } },
    });
  });

  it('reads a plan in the body even with an image attached, as a signature logo is', () => {
    // Prepare
    const mail = { attachments: [file('image001.png', '\x89PNG', 'image/png')], text: PLAN_IN_BODY };

    // Act + Assess
    expect(readMailPlan(mail)).toMatchObject({
      ok: true,
      source: { from: 'body' },
      value: PLAN_IN_BODY_VALUE,
    });
  });

  it('reads the corrected plan of a reply without the email it quotes', () => {
    // Prepare: a reply to "Not started", the quoted email below the plan, the signature below it
    const text = [
      PLAN_IN_BODY,
      '',
      'On Mon, 18 Jan 2027 at 09:05, onramp <plans@onramp.local> wrote:',
      '',
      '> Hello,',
      '>',
      '> nothing was started from your email "Payroll handover plan": the plan in',
      '> the attachment payroll.yaml has this problem.',
      '>',
      '> - owner.email',
      '>     is required (an email address)',
      '',
      '-- ',
      'Maria Santos',
    ].join('\r\n');

    // Act + Assess
    expect(readMailPlan({ attachments: [], text })).toEqual({
      ok: true,
      source: { from: 'body', text: PLAN_IN_BODY },
      value: PLAN_IN_BODY_VALUE,
    });
  });
});

describe('readMailPlan: no plan', () => {
  it('finds no plan in an email with an empty body and no plan file, and names the file it has', () => {
    expect(
      refusal(
        readMailPlan({ attachments: [file('scan.pdf', '%PDF', 'application/pdf')], text: ' \n-- \nMaria' }),
      ),
    ).toBe(
      'no plan found: scan.pdf is not a plan file; attach the plan as one .yaml, .yml or .json file (not zipped), or write it as the whole text of the email',
    );
  });

  it('finds no plan in an empty email', () => {
    expect(refusal(readMailPlan({ attachments: [] }))).toBe(
      'no plan found: attach the plan as one .yaml, .yml or .json file (not zipped), or write it as the whole text of the email',
    );
  });

  it('says no plan was found, not that the covering note is a broken plan, when the plan is zipped', () => {
    // Prepare
    const mail = {
      attachments: [
        file('plan.zip', 'PK\x03\x04', 'application/zip'),
        file('logo.png', '\x89PNG', 'image/png'),
      ],
      text: 'Hello,\n\nthe plan is attached, zipped.\n\nMaria',
    };

    // Act + Assess
    expect(refusal(readMailPlan(mail))).toBe(
      'no plan found: plan.zip and logo.png are not plan files, and the text of the email is not a plan; attach the plan as one .yaml, .yml or .json file (not zipped), or write it as the whole text of the email',
    );
  });

  it('says where the text of such an email is not valid YAML, in case it was meant as the plan', () => {
    // Prepare
    const mail = {
      attachments: [file('plan.zip', 'PK\x03\x04', 'application/zip')],
      text: 'Hi,\nplease see the attached plan: thanks!\n\tMaria',
    };

    // Act + Assess
    expect(refusal(readMailPlan(mail))).toMatch(
      /^no plan found: plan\.zip is not a plan file, and the text of the email is not a plan \(line \d+, column \d+: not valid YAML or JSON \([A-Z_]+\)\); attach the plan/,
    );
  });
});

describe('withoutQuotedMessage', () => {
  it('drops an Outlook "Original Message" block', () => {
    // Prepare
    const text = [
      'title: Payroll handover',
      '',
      '-----Original Message-----',
      'From: onramp <plans@onramp.local>',
      'Sent: Monday, 18 January 2027 09:05',
      'Subject: Not started: Payroll handover plan',
      '',
      'Hello,',
    ].join('\n');

    // Act + Assess
    expect(withoutQuotedMessage(text).trim()).toBe('title: Payroll handover');
  });

  it('drops what Outlook quotes under its line of underscores', () => {
    // Prepare
    const text = [
      'title: Payroll handover',
      '',
      '_'.repeat(32),
      'From: onramp <plans@onramp.local>',
      'Sent: Monday, 18 January 2027 09:05',
      'To: Maria Santos <maria@santos-advisory.example>',
      'Subject: Not started: Payroll handover plan',
      '',
      'Hello,',
    ].join('\n');

    // Act + Assess
    expect(withoutQuotedMessage(text).trim()).toBe('title: Payroll handover');
  });

  it('keeps a plan that quotes nothing as it is, `---` and `>` lines included', () => {
    expect(withoutQuotedMessage(PLAN_IN_BODY)).toBe(PLAN_IN_BODY);
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
