import { describe, expect, it } from 'vitest';
import { CHECKIN_MINUTES, type CheckinInvite, checkinInvite } from '#core/calendar-invite';
import { property, readIcs, unescapeText } from './ics.ts';

const HOSTILE_TITLE = 'Books; "ledgers", \\ back\nEND:VEVENT <script>alert(1)</script> & Ümlaut';

const invite: CheckinInvite = {
  onboardingId: 'bookkeeping-handover-to-ledgerly-2027-03-01',
  week: 3,
  summary: `Check-in, week 3: ${HOSTILE_TITLE}`,
  description: 'The weekly check-in of Maria Santos and Ledgerly Outsourcing.',
  startsAt: '2027-03-18T14:00:00.000Z',
  organizer: 'onramp@santos-advisory.example',
  stamp: '2027-03-18T14:00:02.000Z',
};

describe('the check-in calendar event', () => {
  const attachment = checkinInvite(invite);
  const lines = readIcs(attachment.content);
  const value = (name: string) => property(lines, name).value;

  it('is an .ics file named for the week, typed text/calendar', () => {
    expect([attachment.filename, attachment.contentType]).toEqual(['check-in-week-3.ics', 'text/calendar']);
  });

  it('publishes one event (no invitation to answer)', () => {
    expect([value('METHOD'), lines.filter((l) => l.name === 'BEGIN').map((l) => l.value)]).toEqual([
      'PUBLISH',
      ['VCALENDAR', 'VEVENT'],
    ]);
  });

  it('has a UID of the onboarding and the week, so the same week sent again replaces the event', () => {
    const again = readIcs(checkinInvite({ ...invite, stamp: '2027-03-19T08:00:00.000Z' }).content);
    const otherWeek = readIcs(checkinInvite({ ...invite, week: 4 }).content);

    expect(value('UID')).toBe(
      'checkin-week-3.bookkeeping-handover-to-ledgerly-2027-03-01@santos-advisory.example',
    );
    expect(property(again, 'UID').value).toBe(value('UID'));
    expect(property(otherWeek, 'UID').value).not.toBe(value('UID'));
  });

  it(`starts at the check-in, in UTC, and lasts ${CHECKIN_MINUTES} minutes`, () => {
    expect([value('DTSTART'), value('DTEND'), value('DTSTAMP')]).toEqual([
      '20270318T140000Z',
      '20270318T143000Z',
      '20270318T140002Z',
    ]);
  });

  it('is organized by the sending address', () => {
    const organizer = property(lines, 'ORGANIZER');

    expect([organizer.value, organizer.params.CN]).toEqual([
      'mailto:onramp@santos-advisory.example',
      'onramp',
    ]);
  });

  it('escapes the plan title in the summary, which reads back exactly as written', () => {
    const summary = value('SUMMARY');

    expect(summary).not.toContain('\n');
    expect(summary).toContain('Books\\; "ledgers"\\, \\\\ back\\nEND:VEVENT');
    expect(unescapeText(summary)).toBe(`Check-in, week 3: ${HOSTILE_TITLE}`);
    // A title cannot end the event early: the only END:VEVENT is the real one.
    expect(lines.filter((l) => l.name === 'END').map((l) => l.value)).toEqual(['VEVENT', 'VCALENDAR']);
  });

  it('ends every line with CRLF and folds none longer than 75 octets', () => {
    const long = checkinInvite({
      ...invite,
      summary: `Check-in, week 3: ${'Überlange Übergabe '.repeat(10)}`,
    });
    const physical = long.content.split('\r\n');

    expect(long.content.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(long.content.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(physical.every((line) => Buffer.byteLength(line, 'utf8') <= 75)).toBe(true);
    expect(unescapeText(property(readIcs(long.content), 'SUMMARY').value)).toBe(
      `Check-in, week 3: ${'Überlange Übergabe '.repeat(10)}`,
    );
  });
});
