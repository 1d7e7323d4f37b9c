import ical, { ICalCalendarMethod } from 'ical-generator';
import type { EmailAttachment } from './emails/message.ts';

/**
 * The check-in meeting as an iCalendar file (RFC 5545), attached to each side's check-in email so
 * it lands in their calendar at the right time whatever their time zone: the start is in UTC, and
 * each calendar shows it in its own zone.
 *
 * METHOD:PUBLISH, not REQUEST: a REQUEST is an invitation to answer, so calendars would show
 * Accept/Decline and send iTIP replies to the organizer, which is onramp's sending address: nobody
 * reads those, and the meeting is between the owner and the partner anyway. PUBLISH puts the
 * event in the calendar without asking anything back. The UID names the onboarding and the week,
 * so the same week's invitation sent again replaces the event rather than adding a second one.
 */

/** How long the check-in is booked for. */
export const CHECKIN_MINUTES = 30;

export interface CheckinInvite {
  onboardingId: string;
  week: number;
  /** The event's title: says which onboarding's check-in it is. */
  summary: string;
  description: string;
  /** The check-in, an ISO instant. */
  startsAt: string;
  /** The address the email is sent from: the event's organizer. */
  organizer: string;
  /** When the invitation was made (DTSTAMP), an ISO instant: the later one wins in a calendar. */
  stamp: string;
}

/** The .ics attachment for a week's check-in. */
export function checkinInvite(invite: CheckinInvite): EmailAttachment {
  const start = new Date(invite.startsAt);
  const calendar = ical({
    prodId: { company: 'onramp', product: 'check-in', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
  });
  calendar.createEvent({
    id: checkinUid(invite.onboardingId, invite.week, invite.organizer),
    sequence: 0,
    stamp: new Date(invite.stamp),
    start,
    end: new Date(start.getTime() + CHECKIN_MINUTES * 60_000),
    summary: invite.summary,
    description: invite.description,
    organizer: { name: 'onramp', email: invite.organizer },
  });
  return {
    filename: `check-in-week-${invite.week}.ics`,
    // A bare media type: SES API v2 takes an IANA media type for an attachment. The method is the
    // file's own METHOD, and UTF-8 is text/calendar's default charset (RFC 5545 8.1).
    contentType: 'text/calendar',
    // Every content line ends with CRLF (RFC 5545 3.1), the last one too.
    content: `${calendar.toString().replace(/\r\n$/, '')}\r\n`,
  };
}

/**
 * The event's UID: stable for an onboarding's week, and globally unique as RFC 5545 asks, by the
 * sender's domain.
 */
export function checkinUid(onboardingId: string, week: number, organizer: string): string {
  return `checkin-week-${week}.${onboardingId}@${organizer.slice(organizer.lastIndexOf('@') + 1)}`;
}
