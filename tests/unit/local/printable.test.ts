import { describe, expect, it } from 'vitest';
import { printable } from '#local/printable';
import { renderTimeline } from '#local/timeline';
import { planFixture } from '../core/fixtures.ts';

/** Clears the screen, sets the window's title, hides what follows; then a carriage return and a right-to-left override. */
const HOSTILE = 'Reconcile \u001b[2J\u001b]0;pwned\u0007\u001b[8m hidden\rOK \u202etxt.exe';

describe('printable', () => {
  it('shows each character a terminal would act on as its code point, and keeps line breaks', () => {
    expect(printable(`${HOSTILE}\nnext line\u009b`)).toBe(
      'Reconcile \\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\u{1b}[8m hidden\\u{d}OK \\u{202e}txt.exe\nnext line\\u{9b}',
    );
  });

  it('keeps the tabs and CRLF line breaks a multi-line deliverable may hold, and escapes line separators', () => {
    expect(printable('Statements:\r\n\tbank\r\n\tcard\u2028')).toBe(
      'Statements:\r\n\tbank\r\n\tcard\\u{2028}',
    );
  });

  it('leaves ordinary text, accents and right-to-left marks alone', () => {
    expect(printable('Größe — Ledgerly ✓ \u200f')).toBe('Größe — Ledgerly ✓ \u200f');
  });
});

describe('renderTimeline', () => {
  it('prints what people wrote without a character the terminal would act on', () => {
    const plan = planFixture({ title: HOSTILE });
    const timeline = renderTimeline({
      onboarding: {
        id: plan.id,
        status: 'active',
        plan,
        planDigest: 'digest',
        createdAt: '2026-12-01T08:00:00.000Z',
        updatedAt: '2026-12-01T08:00:00.000Z',
      },
      weeks: [],
      emails: [],
      feedback: [],
      visits: [],
    });

    expect(timeline.split('\n')[0]).toBe(printable(HOSTILE));
    expect(timeline).not.toMatch(/[^\P{Cc}\n]|\u202e/u);
  });
});
