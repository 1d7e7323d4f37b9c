import { describe, expect, it } from 'vitest';
import { controlBodyProblem } from '#core/control-request';

describe('the body of a pause, resume or cancel', () => {
  it('is exactly the onboarding of the path, by id', () => {
    expect(
      controlBodyProblem('{"onboardingId":"acme-1","action":"cancel"}', 'acme-1', 'cancel'),
    ).toBeUndefined();
    expect(
      controlBodyProblem(' { "action": "cancel", "onboardingId" : "acme-1" } ', 'acme-1', 'cancel'),
    ).toBeUndefined();
  });

  it('refuses one naming another onboarding: a captured control cannot be aimed elsewhere', () => {
    expect(controlBodyProblem('{"onboardingId":"acme-2","action":"cancel"}', 'acme-1', 'cancel')).toBe(
      'The body names onboarding "acme-2", not "acme-1" of the path',
    );
  });

  it('refuses one asking for another action: a captured pause cannot be replayed as a cancel', () => {
    expect(controlBodyProblem('{"onboardingId":"acme-1","action":"pause"}', 'acme-1', 'cancel')).toBe(
      'The body asks to pause, not to cancel as the path does',
    );
  });

  it.each([
    ['an empty body (a status read’s signature)', ''],
    ['not JSON', 'cancel'],
    ['no id', '{}'],
    ['an empty id', '{"onboardingId":""}'],
    ['no action', '{"onboardingId":"acme-1"}'],
    ['another field too', '{"onboardingId":"acme-1","action":"cancel","force":true}'],
    ['an unknown action', '{"onboardingId":"acme-1","action":"delete"}'],
    ['an array', '["acme-1"]'],
    ['a number for the id', '{"onboardingId":1}'],
  ])('refuses %s, saying what it must be', (_, body) => {
    expect(controlBodyProblem(body, 'acme-1', 'cancel')).toMatch(
      /^The body must be \{"onboardingId": "acme-1", "action": "cancel"\}/,
    );
  });
});
