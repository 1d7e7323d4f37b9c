import { describe, expect, it } from 'vitest';
import { controlBodyProblem } from '#core/control-request';

describe('the body of a pause, resume or cancel', () => {
  it('is exactly the onboarding of the path, by id', () => {
    expect(controlBodyProblem('{"onboardingId":"acme-1"}', 'acme-1')).toBeUndefined();
    expect(controlBodyProblem(' { "onboardingId" : "acme-1" } ', 'acme-1')).toBeUndefined();
  });

  it('refuses one naming another onboarding: a captured control cannot be aimed elsewhere', () => {
    expect(controlBodyProblem('{"onboardingId":"acme-2"}', 'acme-1')).toBe(
      'The body names onboarding "acme-2", not "acme-1" of the path',
    );
  });

  it.each([
    ['an empty body (a status read’s signature)', ''],
    ['not JSON', 'cancel'],
    ['no id', '{}'],
    ['an empty id', '{"onboardingId":""}'],
    ['another field too', '{"onboardingId":"acme-1","force":true}'],
    ['an array', '["acme-1"]'],
    ['a number for the id', '{"onboardingId":1}'],
  ])('refuses %s, saying what it must be', (_, body) => {
    expect(controlBodyProblem(body, 'acme-1')).toMatch(/^The body must be \{"onboardingId": "acme-1"\}/);
  });
});
