import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithClock } from '#adapters/clock';
import type { Feedback } from '#core/feedback';
import { onboardingRef, replyTokenOf, verifyReplyToken } from '#core/reply-address';
import { deliverLocally, LOCAL_INBOUND_ADDRESS, type LocalDelivery } from '#local/inbound';
import type { ReceivedEmail } from '#local/mailbox';
import type { Execution } from '#local/runner';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime';
import { examplePlan, startHeldAtFirstCheckin } from './helpers.ts';

/**
 * Answering a check-in by replying to it, on the local runtime: a real onboarding runs until its
 * first check-in is out and is held in that week's feedback window; replies built from the
 * fixtures in tests/fixtures/mail/replies, addressed to the Reply-To the check-in carried, go
 * through the inbound function as SES would deliver them, at the execution's virtual time.
 */

const plan = { ...examplePlan(), id: 'replies-week-1' };
const OWNER = 'maria@santos-advisory.example';
const PARTNER = 'team@ledgerly.example';
/** The placeholder token the fixtures are addressed to; a test puts the check-in's own in its place. */
const PLACEHOLDER = `plans+${'a'.repeat(32)}@onramp.local`;

let runtime: LocalRuntime;
let execution: Execution;
let checkins: ReceivedEmail[];
let hold: Awaited<ReturnType<typeof startHeldAtFirstCheckin>>['hold'];

beforeAll(async () => {
  runtime = await startLocalRuntime();
  // Nobody in the scenario answers; the execution waits in week 1's feedback window until released.
  ({ hold, execution, checkins } = await startHeldAtFirstCheckin(runtime, plan));
});

afterAll(async () => {
  hold?.release();
  await runtime?.stop();
});

const checkinTo = (address: string) => checkins.find((m) => m.destination.to.includes(address));
const replyAddressOf = (address: string) => checkinTo(address)?.replyTo[0] ?? '';

/** A fixture addressed to `replyAddress`, delivered at the execution's time. */
async function deliver(
  file: string,
  replyAddress: string,
  options: { from?: string } = {},
): Promise<LocalDelivery> {
  const raw = readFileSync(`tests/fixtures/mail/replies/${file}`, 'latin1').replaceAll(
    PLACEHOLDER,
    replyAddress,
  );
  return runWithClock(execution.clock, () => deliverLocally(runtime, Buffer.from(raw, 'latin1'), options));
}

async function feedback(role: 'owner' | 'partner'): Promise<Feedback | undefined> {
  return (await runtime.store.listFeedback(plan.id)).find((f) => f.week === 1 && f.role === role);
}

describe('the check-in emails', () => {
  it('each carry a Reply-To of their own: a signed plus-address of the inbound address', () => {
    const [owner, partner] = [replyAddressOf(OWNER), replyAddressOf(PARTNER)];
    const claims = [owner, partner].map((a) =>
      verifyReplyToken(replyTokenOf(a, LOCAL_INBOUND_ADDRESS)!, runtime.secrets.link),
    );
    const ref = onboardingRef(plan.id, runtime.secrets.link);

    expect(owner).toMatch(/^plans\+[a-z2-7]{32}@onramp\.local$/);
    expect(partner).not.toBe(owner);
    expect(claims).toEqual([
      { ok: true, claims: { ref, week: 1, purpose: 'checkin', role: 'owner' } },
      { ok: true, claims: { ref, week: 1, purpose: 'checkin', role: 'partner' } },
    ]);
  });
});

describe('a reply from Gmail by the owner', () => {
  let delivery: LocalDelivery;
  beforeAll(async () => {
    delivery = await deliver('gmail-owner.eml', replyAddressOf(OWNER));
  });

  it('records the owner’s rating and comment, without the quoted check-in, as source email', async () => {
    expect(delivery.outcome).toEqual({
      outcome: 'feedback-recorded',
      onboardingId: plan.id,
      week: 1,
      role: 'owner',
      rating: 4,
      replied: true,
    });
    expect(await feedback('owner')).toMatchObject({
      rating: 4,
      comment: 'solid week. The bank feeds were reconciled two days late, the rest was fine.',
      source: 'email',
      from: OWNER,
      at: execution.clock.now().toISOString(),
    });
  });

  it('answers the owner with what was recorded, replying to the same address', () => {
    expect(delivery.reply).toMatchObject({
      subject: `Recorded: your answer for week 1 of ${plan.title}`,
      destination: { to: [OWNER] },
      replyTo: [replyAddressOf(OWNER)],
    });
    expect(delivery.reply!.body.text).toContain('4 of 5');
  });

  it('does nothing again when the same message is delivered again', async () => {
    const again = await deliver('gmail-owner.eml', replyAddressOf(OWNER));

    expect(again.outcome).toEqual({ outcome: 'already-answered', onboardingId: plan.id });
    expect(again.reply).toBeUndefined();
  });
});

describe('a reply from Outlook by the partner', () => {
  it('records the partner’s rating: the header block and the original below it are not the comment', async () => {
    const delivery = await deliver('outlook-partner.eml', replyAddressOf(PARTNER));

    expect(delivery.outcome).toMatchObject({ outcome: 'feedback-recorded', role: 'partner', rating: 3 });
    const recorded = await feedback('partner');
    expect(recorded).toMatchObject({ rating: 3, source: 'email', from: PARTNER });
    expect(recorded!.comment).toMatch(/^Too much at once for a first week/);
    expect(recorded!.comment).not.toMatch(/Sent:|How clear and manageable/);
  });
});

describe('replies that are not recorded', () => {
  it('a rating off the scale: nothing written, and the partner is told how to answer', async () => {
    const before = await feedback('partner');
    const delivery = await deliver('rating-out-of-range.eml', replyAddressOf(PARTNER));

    expect(delivery.outcome).toMatchObject({
      outcome: 'feedback-not-recorded',
      reason: 'rating-out-of-range',
    });
    expect(await feedback('partner')).toEqual(before);
    expect(delivery.reply?.destination.to).toEqual([PARTNER]);
    expect(delivery.reply?.body.text).toContain('ratings go from 1 to 5');
  });

  it('an out-of-office auto-reply: dropped without an answer', async () => {
    const before = await feedback('owner');
    const delivery = await deliver('out-of-office.eml', replyAddressOf(OWNER));

    expect(delivery.outcome).toEqual({ outcome: 'dropped', reasons: ['auto-submitted'] });
    expect(delivery.reply).toBeUndefined();
    expect(await feedback('owner')).toEqual(before);
  });

  it('a reply address nobody signed: dropped as forged, nothing read', async () => {
    const before = await runtime.store.listFeedback(plan.id);
    const delivery = await deliver('forged-address.eml', PLACEHOLDER);

    expect(delivery.outcome).toEqual({ outcome: 'dropped', reasons: ['reply-address-forged'] });
    expect(delivery.reply).toBeUndefined();
    expect(await runtime.store.listFeedback(plan.id)).toEqual(before);
  });

  it('the owner’s check-in forwarded to the partner, who replies: dropped, the From is not the owner', async () => {
    const before = await feedback('owner');
    const delivery = await deliver('apple-mail-partner.eml', replyAddressOf(OWNER));

    expect(delivery.outcome).toEqual({ outcome: 'dropped', reasons: ['not-the-recipient'] });
    expect(await feedback('owner')).toEqual(before);
  });
});
