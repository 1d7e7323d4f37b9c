import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { type MailPlan, readMailPlan } from '#core/inbound-plan';

// The plan in real-looking messages (tests/fixtures/mail), parsed by mailparser as the inbound
// function parses them: attachments with their Content-Type parameters, bodies as their clients
// wrote them.

async function planIn(fixture: string): Promise<MailPlan> {
  const raw = readFileSync(`tests/fixtures/mail/${fixture}`);
  return readMailPlan(await simpleParser(raw, { skipTextToHtml: true, skipTextLinks: true }));
}

describe('the plan in an emailed message', () => {
  it('reports an alias whose anchor was left out of the attached plan as a problem with it', async () => {
    expect(await planIn('plan-unknown-alias.eml')).toMatchObject({
      ok: false,
      problems: [
        {
          path: '',
          message: expect.stringMatching(
            /^line 10, column 25: the alias \*review-criteria refers to no anchor/,
          ),
        },
      ],
      source: { from: 'attachment', filename: 'accessibility-plan.yaml' },
    });
  });

  it('refuses two plan files (plan.yaml and second.yml), naming both', async () => {
    expect(await planIn('several-plan-attachments.eml')).toEqual({
      ok: false,
      problems: [
        { path: '', message: 'several plan attachments: plan.yaml, second.yml; send one plan per email' },
      ],
    });
  });

  it('decodes an Outlook attachment in the windows-1252 it declares: umlauts, accents, the euro sign', async () => {
    // Act
    const read = await planIn('plan-windows-1252.eml');

    // Assess
    expect(read).toMatchObject({
      ok: true,
      source: { from: 'attachment', filename: 'website-upkeep.yaml' },
      value: {
        title: 'Website upkeep by Jürgen Müller',
        partner: { name: 'Jürgen Müller' },
        tasks: [
          {
            title: 'Update the menu pages of Café Lumière',
            acceptanceCriteria: ['Prices match the printed menu', 'Hosting stays under 40 € a month'],
          },
        ],
      },
    });
  });

  it('refuses a Latin-1 attachment that declares no charset, rather than garbling its names', async () => {
    expect(await planIn('plan-not-utf8.eml')).toEqual({
      ok: false,
      problems: [
        {
          path: '',
          message:
            'weekend-support.yaml is not UTF-8 text (it declares no charset); save the plan as UTF-8 and send it again',
        },
      ],
    });
  });

  it('says that a zipped plan is not read, and which files are, not that the covering note is a broken plan', async () => {
    expect(await planIn('plan-zipped.eml')).toEqual({
      ok: false,
      problems: [
        {
          path: '',
          message:
            'no plan found: plan.zip is not a plan file, and the text of the email is not a plan; attach the plan as one .yaml, .yml or .json file (not zipped), or write it as the whole text of the email',
        },
      ],
    });
  });

  it('reads the corrected plan in a Gmail reply to "Not started" without the quoted email, its own ">" lines kept', async () => {
    // Act
    const read = await planIn('plan-reply-quoted.eml');

    // Assess
    if (!read.ok) throw new Error(`expected the plan, got ${JSON.stringify(read.problems)}`);
    expect(read.source.from).toBe('body');
    expect(read.source.text).not.toMatch(/wrote:|^>/m);
    expect(read.value).toMatchObject({
      title: 'Payroll handover to Ledgerly',
      owner: { email: 'maria@santos-advisory.example', timeZone: 'Europe/Berlin' },
      tasks: [
        {
          id: 'payroll-run',
          deliverable:
            "The month's payroll run in the payroll system, left unsubmitted for Maria to approve\n",
        },
        {
          id: 'payslips',
          deliverable:
            'Payslips for every employee, each with the note:\n> Questions about this payslip go to payroll@santos-advisory.example\n',
        },
        { id: 'pension-filings' },
      ],
    });
  });
});
