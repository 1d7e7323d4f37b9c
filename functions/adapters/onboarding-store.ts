import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandOutput,
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { DueDiligenceVerdict, ReferenceAnswer } from '#core/due-diligence';
import { OnboardingConflict, OnboardingNotFound, TransientError } from '#core/errors';
import type { Feedback } from '#core/feedback';
import type {
  EmailKind,
  EmailRecord,
  Onboarding,
  OnboardingStatus,
  RecordedDecision,
  Role,
  WeekRecord,
  WeekReminder,
  WeighedAnswers,
} from '#core/onboarding';
import type { ListPosition, OnboardingListing, OnboardingPage } from '#core/onboarding-list';
import type { DecisionChannel, DecisionRequest, OwnerAnswer, OwnerChoice } from '#core/owner-decision';
import { callAws } from './aws-errors.ts';
import type { tableDefinition } from './table-definition.ts';

const pk = (id: string) => `ONB#${id}`;

/**
 * How many answers one side may give to one week's check-in (or a reference to its questions):
 * every one is kept in the item's `history`, and an item holds at most 400 KB, which about 190
 * answers with a full comment would reach, leaving the gate unable to close the week. Twenty keeps
 * the item small whatever the comments, and is far more than anyone changing their mind needs.
 */
export const MAX_ANSWERS_KEPT = 20;
const HISTORY_HAS_ROOM = '(attribute_not_exists(#history) OR size(#history) < :kept)';

/** What became of an answer: stored, refused as its week is closed, or as it was given too often. */
export type AnswerWrite = 'recorded' | 'closed' | 'too-many-answers';
const ONBOARDING = 'ONBOARDING';
const weekKey = (week: number) => `WEEK#${String(week).padStart(2, '0')}`;
/** Sorts before ONBOARDING, so it never shows up among the onboarding's weeks. */
const sendingKey = (kind: EmailKind, week: number) => `CLAIM#${kind}#${String(week).padStart(2, '0')}`;
const feedbackKey = (week: number, role: string) => `FEEDBACK#${String(week).padStart(2, '0')}#${role}`;
const emailKey = (kind: EmailKind, week: number, role: Role) =>
  `EMAIL#${kind}#${String(week).padStart(2, '0')}#${role}`;
/** The stable action id of the owner's decision about a week; sorts before EMAIL#, outside every history query. */
const decisionKey = (week: number) => `DECISION#${String(week).padStart(2, '0')}`;
/** A reference's answer (due diligence); sorts between ONBOARDING and WEEK#, which history reads skip. */
const referenceKey = (reference: number) => `REFERENCE#${String(reference).padStart(2, '0')}`;
/** The due diligence's verdict; sorts before EMAIL#, outside every history query. */
const DUE_DILIGENCE = 'DUE-DILIGENCE';
/** The index of onboardings by status, in the order they were created (see table-definition.ts). */
const STATUS_INDEX: (typeof tableDefinition.globalSecondaryIndexes)[number]['indexName'] = 'byStatus';

/** A question to the owner as stored: with the workflow's task token while it waits (never shown). */
export type StoredDecision = DecisionRequest & { taskToken?: string };

/** An onboarding with its weeks and every answer to its check-ins. */
export interface OnboardingHistory {
  onboarding: Onboarding;
  weeks: WeekRecord[];
  feedback: Feedback[];
}

/** An onboarding and one of its weeks, as read together; either may be missing. */
export interface OnboardingWeek {
  onboarding: Onboarding | undefined;
  week: WeekRecord | undefined;
}

/** The times a status change records with it. */
export type StatusTimes = Partial<
  Pick<Onboarding, 'pausedAt' | 'resumedAt' | 'cancelledAt' | 'cancelReason' | 'abortedAt'>
> & {
  updatedAt: string;
};

/** Progress fields the workflow moves forward. */
export type OnboardingProgress = Partial<Pick<Onboarding, 'status' | 'failure'>> & {
  updatedAt: string;
};

/**
 * The onboarding table, single-table design (see table-definition.ts). Every write that a retry
 * could repeat is conditional, so a step that runs twice writes once.
 */
export class OnboardingStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Creates the onboarding unless it exists. Returns the stored one: the new one, or the existing
   * one when the same id was started before with the same plan (a redelivery is not a new start).
   * The same id with a different plan is an `OnboardingConflict`.
   */
  async createOnboarding(onboarding: Onboarding): Promise<{ created: boolean; onboarding: Onboarding }> {
    const written = await this.writeIf(
      new PutCommand({
        TableName: this.tableName,
        Item: toOnboardingItem(onboarding),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    if (written) return { created: true, onboarding };
    const existing = await this.getOnboarding(onboarding.id);
    if (existing.planDigest !== onboarding.planDigest) throw new OnboardingConflict(onboarding.id);
    return { created: false, onboarding: existing };
  }

  async findOnboarding(id: string): Promise<Onboarding | undefined> {
    const { Item } = await callAws(() =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: pk(id), sk: ONBOARDING },
          ConsistentRead: true,
        }),
      ),
    );
    return Item ? fromOnboardingItem(Item) : undefined;
  }

  async getOnboarding(id: string): Promise<Onboarding> {
    const onboarding = await this.findOnboarding(id);
    if (!onboarding) throw new OnboardingNotFound(id);
    return onboarding;
  }

  /**
   * One page of the onboardings with `status`, newest first, from one Query on the status index
   * (eventually consistent, as every index read is: a change shows there a moment later). Only
   * the fields a listing shows are read back, never the plan; `title` is kept on the item for
   * this (`toOnboardingItem`), and only an onboarding stored before that costs one read more,
   * of its plan, for its title. One item more than `limit` is asked for, so `next` is there
   * exactly when another page has something: a listing never ends on an empty page (unless the
   * read stopped at DynamoDB's 1 MB, where its own key says where to go on).
   */
  async listOnboardings(
    status: OnboardingStatus,
    page: { limit: number; startKey?: ListPosition },
  ): Promise<OnboardingPage> {
    const { Items = [], LastEvaluatedKey } = await callAws(() =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: STATUS_INDEX,
          KeyConditionExpression: '#status = :status',
          // The index holds no more than this (its keys and `nonKeyAttributes`, table-definition.ts):
          // an attribute read here must be added there, or the listing silently lacks it.
          ProjectionExpression: '#pk, #sk, #id, #title, #status, #createdAt, #updatedAt',
          ExpressionAttributeNames: {
            '#pk': 'pk',
            '#sk': 'sk',
            '#id': 'id',
            '#title': 'title',
            '#status': 'status',
            '#createdAt': 'createdAt',
            '#updatedAt': 'updatedAt',
          },
          ExpressionAttributeValues: { ':status': status },
          ScanIndexForward: false,
          Limit: page.limit + 1,
          ...(page.startKey
            ? {
                ExclusiveStartKey: {
                  pk: pk(page.startKey.onboardingId),
                  sk: ONBOARDING,
                  status,
                  createdAt: page.startKey.createdAt,
                },
              }
            : {}),
        }),
      ),
    );
    const shown = Items.slice(0, page.limit);
    const last = shown.at(-1);
    const positionOf = (key: Record<string, unknown>): ListPosition => ({
      onboardingId: String(key.pk).slice(pk('').length),
      createdAt: String(key.createdAt),
    });
    const next =
      Items.length > page.limit && last ? positionOf(last) : LastEvaluatedKey && positionOf(LastEvaluatedKey);
    const untitled = shown.filter((item) => typeof item.title !== 'string').map((item) => String(item.id));
    const titles = untitled.length > 0 ? await this.plannedTitles(untitled) : new Map<string, string>();
    const onboardings = shown.map(
      (item): OnboardingListing => ({
        id: String(item.id),
        title: typeof item.title === 'string' ? item.title : (titles.get(String(item.id)) ?? ''),
        status: item.status as OnboardingStatus,
        createdAt: String(item.createdAt),
        ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
      }),
    );
    return { onboardings, ...(next ? { next } : {}) };
  }

  /**
   * Moves the workflow's status forward. A cancelled onboarding stays cancelled: a step that was
   * already running when it was cancelled (StopExecution does not stop a Lambda mid-call) cannot
   * write it back to active, completed or failed. Returns whether it was written: `false` only for
   * a status left as cancelled.
   */
  async updateProgress(id: string, progress: OnboardingProgress): Promise<boolean> {
    const entries = Object.entries(progress).filter(([, v]) => v !== undefined);
    const guarded = progress.status !== undefined;
    const written = await this.writeIf(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pk(id), sk: ONBOARDING },
        UpdateExpression: `SET ${entries.map(([k]) => `#${k} = :${k}`).join(', ')}`,
        ConditionExpression: guarded
          ? 'attribute_exists(pk) AND #status <> :cancelled'
          : 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries(entries.map(([k]) => [`#${k}`, k])),
        ExpressionAttributeValues: {
          ...Object.fromEntries(entries.map(([k, v]) => [`:${k}`, v])),
          ...(guarded ? { ':cancelled': 'cancelled' } : {}),
        },
      }),
    );
    if (written) return true;
    const current = await this.findOnboarding(id);
    if (!current) throw new OnboardingNotFound(id);
    if (!(guarded && current.status === 'cancelled'))
      throw new Error(`The progress of onboarding ${id} could not be written (status ${current.status})`);
    return false;
  }

  /**
   * Changes the status from `from` to `to`, with the times that go with it, only if it is still
   * `from`. Returns the onboarding as written, or `undefined` when its status changed meanwhile,
   * for the caller to look again. `removePauseToken` drops the parked workflow's token with it.
   */
  async changeStatus(
    id: string,
    change: {
      from: OnboardingStatus;
      to: OnboardingStatus;
      set: StatusTimes;
      removePauseToken?: boolean;
    },
  ): Promise<Onboarding | undefined> {
    const fields = Object.entries({ ...change.set, status: change.to }).filter(([, v]) => v !== undefined);
    const written = await this.writeIf(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pk(id), sk: ONBOARDING },
        UpdateExpression:
          `SET ${fields.map(([k]) => `#${k} = :${k}`).join(', ')}` +
          (change.removePauseToken ? ' REMOVE pauseToken' : ''),
        ConditionExpression: '#status = :from',
        ExpressionAttributeNames: Object.fromEntries(fields.map(([k]) => [`#${k}`, k])),
        ExpressionAttributeValues: {
          ...Object.fromEntries(fields.map(([k, v]) => [`:${k}`, v])),
          ':from': change.from,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return written?.Attributes ? fromOnboardingItem(written.Attributes) : undefined;
  }

  /**
   * Keeps the task token of the workflow waiting for a resume, if the onboarding is still
   * paused. False when it is not (resumed or cancelled since the workflow looked): then nobody
   * would ever send the token back, and the caller must.
   */
  async parkWhilePaused(id: string, taskToken: string): Promise<boolean> {
    const written = await this.writeIf(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pk(id), sk: ONBOARDING },
        UpdateExpression: 'SET pauseToken = :token',
        ConditionExpression: '#status = :paused',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':token': taskToken, ':paused': 'paused' },
      }),
    );
    return written !== undefined;
  }

  /** Forgets a task token once it was sent back; a newer one parked since is kept. */
  async clearPauseToken(id: string, taskToken: string): Promise<void> {
    await this.writeIf(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pk(id), sk: ONBOARDING },
        UpdateExpression: 'REMOVE pauseToken',
        ConditionExpression: 'pauseToken = :token',
        ExpressionAttributeValues: { ':token': taskToken },
      }),
    );
  }

  /**
   * Records how many whole weeks pauses have moved the schedule. Computed again from the same
   * facts, a retried step writes the same number.
   */
  async setPausedWeeks(id: string, pausedWeeks: number, updatedAt: string): Promise<void> {
    await callAws(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: pk(id), sk: ONBOARDING },
          UpdateExpression: 'SET pausedWeeks = :weeks, updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':weeks': pausedWeeks, ':at': updatedAt },
        }),
      ),
    );
  }

  /**
   * Records a week's release. A retried release finds the week already written and gets that
   * record back, so the batch never changes once released.
   */
  async putWeek(id: string, record: WeekRecord): Promise<WeekRecord> {
    const written = await this.writeIf(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: pk(id), sk: weekKey(record.week), ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    if (written) return record;
    const existing = await this.getWeek(id, record.week);
    if (!existing) throw new OnboardingNotFound(`${id} week ${record.week}`);
    return existing;
  }

  async getWeek(id: string, week: number): Promise<WeekRecord | undefined> {
    const { Item } = await callAws(() =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: pk(id), sk: weekKey(week) },
          ConsistentRead: true,
        }),
      ),
    );
    return Item ? withoutKeys<WeekRecord>(Item) : undefined;
  }

  /**
   * An onboarding, all its weeks, and the answers to its check-ins from week `answersFrom` on (0:
   * none), in one Query. Sort keys order as CLAIM# < EMAIL# < FEEDBACK# < ONBOARDING < WEEK#, so
   * `sk >= FEEDBACK#<week>` is exactly those items, and `sk >= ONBOARDING` the onboarding and weeks.
   */
  async getOnboardingHistory(id: string, answersFrom = 1): Promise<OnboardingHistory> {
    return historyOf(
      id,
      await this.queryFrom(id, answersFrom > 0 ? feedbackKey(answersFrom, '') : ONBOARDING),
    );
  }

  /**
   * What `GET /onboardings/{id}` shows: the history (as `getOnboardingHistory` reads it) and the
   * references' answers, from one Query (REFERENCE# sorts between ONBOARDING and WEEK#); and, only
   * for a plan that lists references, the due diligence's verdict, with one GetItem: DUE-DILIGENCE
   * sorts before EMAIL#, so a Query reaching it would read every email record too. The answers
   * come without their comments: the status never shows them.
   */
  async getStatusRecords(
    id: string,
  ): Promise<
    OnboardingHistory & { referenceAnswers: ReferenceAnswer[]; dueDiligence?: DueDiligenceVerdict }
  > {
    const items = await this.queryFrom(id, feedbackKey(1, ''));
    const history = historyOf(id, items);
    const referenceAnswers = items
      .filter((item) => String(item.sk).startsWith('REFERENCE#') && answered(item))
      .map((item) => {
        const { reference, scores, at, independent } = withoutKeys<ReferenceAnswer>(item);
        return { reference, scores, at, independent };
      });
    // Plans stored before references were a plan field have none.
    if (!history.onboarding.plan.references?.length) return { ...history, referenceAnswers };
    const dueDiligence = await this.findDueDiligence(id);
    return { ...history, referenceAnswers, ...(dueDiligence ? { dueDiligence } : {}) };
  }

  /** The onboarding and one of its weeks, in one round trip; either may be missing. */
  async findOnboardingWeek(id: string, week: number): Promise<OnboardingWeek> {
    const items = await this.getOwnItems(id, [ONBOARDING, weekKey(week)]);
    return {
      onboarding: items[0] && fromOnboardingItem(items[0]),
      week: items[1] && withoutKeys<WeekRecord>(items[1]),
    };
  }

  /**
   * The onboarding, one of its weeks and one side's answer to that week's check-in, in one round
   * trip (what the page behind a rating link shows); any may be missing, and a role that never
   * answers check-ins (a reference) has no answer.
   */
  async findAnswerToWeek(
    id: string,
    week: number,
    role: Role | 'reference',
  ): Promise<OnboardingWeek & { answer: Feedback | undefined }> {
    const items = await this.getOwnItems(id, [ONBOARDING, weekKey(week), feedbackKey(week, role)]);
    return {
      onboarding: items[0] && fromOnboardingItem(items[0]),
      week: items[1] && withoutKeys<WeekRecord>(items[1]),
      answer: items[2] && answered(items[2]) ? fromFeedbackItem(items[2]) : undefined,
    };
  }

  /** The onboarding and one of its weeks; OnboardingNotFound when either is missing. */
  async getOnboardingWeek(id: string, week: number): Promise<{ onboarding: Onboarding; week: WeekRecord }> {
    const found = await this.findOnboardingWeek(id, week);
    if (!found.onboarding) throw new OnboardingNotFound(id);
    if (!found.week) throw new OnboardingNotFound(`${id} week ${week}`);
    return { onboarding: found.onboarding, week: found.week };
  }

  /**
   * Records the end of a week, once: the decision, and the work carried into the next week. A
   * retried step gets the end recorded the first time, so a decision (and its escalation email)
   * never changes under a retry even if feedback arrived in between.
   */
  async closeWeek(
    id: string,
    week: number,
    end: { decision: RecordedDecision; unfinishedTaskIds: string[]; weighed: WeighedAnswers },
  ): Promise<{ decision: RecordedDecision; unfinishedTaskIds: string[] }> {
    const written = await this.writeIf(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pk(id), sk: weekKey(week) },
        UpdateExpression: 'SET decision = :decision, unfinishedTaskIds = :unfinished, weighed = :weighed',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(decision)',
        ExpressionAttributeValues: {
          ':decision': end.decision,
          ':unfinished': end.unfinishedTaskIds,
          ':weighed': end.weighed,
        },
      }),
    );
    if (written) return { decision: end.decision, unfinishedTaskIds: end.unfinishedTaskIds };
    const stored = await this.getWeek(id, week);
    if (!stored?.decision) throw new OnboardingNotFound(`${id} week ${week}`);
    return { decision: stored.decision, unfinishedTaskIds: stored.unfinishedTaskIds ?? [] };
  }

  /**
   * Closes a week's answers before the gate reads them: each side's answer item is marked
   * (`closedAt`; an item is made for a side that has not answered), and `putFeedback` writes no
   * answer to a marked item. So every answer is either stored before the mark, and read by the
   * gate, or refused: none is stored after the gate read and left out of its decision.
   */
  async closeAnswers(id: string, week: number, at: string): Promise<void> {
    await this.markClosed(
      id,
      (['owner', 'partner'] as const).map((role) => feedbackKey(week, role)),
      at,
    );
  }

  /**
   * Records what the reminder step found at the end of a week's feedback window, once: a retried
   * step keeps the first record (and, through the outbox, the reminders it sent).
   */
  async recordReminder(id: string, week: number, reminder: WeekReminder): Promise<void> {
    await this.writeIf(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pk(id), sk: weekKey(week) },
        UpdateExpression: 'SET reminder = :reminder',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(reminder)',
        ExpressionAttributeValues: { ':reminder': reminder },
      }),
    );
  }

  /**
   * Marks the onboarding at risk (a side silent beyond the plan's limit), keeping the time it was
   * first marked while it stays at risk; `at: null` removes the mark once both sides are heard from.
   */
  async markAtRisk(id: string, at: string | null): Promise<void> {
    await callAws(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: pk(id), sk: ONBOARDING },
          UpdateExpression:
            at === null ? 'REMOVE atRiskSince' : 'SET atRiskSince = if_not_exists(atRiskSince, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ...(at === null ? {} : { ExpressionAttributeValues: { ':at': at } }),
        }),
      ),
    );
  }

  /**
   * Records an answer to a week's check-in, unless the gate has closed the week's answers
   * (`closeAnswers`): `closed` then, and nothing is written. A second answer from the same side
   * replaces the rating and keeps the earlier ones in `history`, up to MAX_ANSWERS_KEPT
   * (`too-many-answers` after that, nothing written).
   */
  async putFeedback(id: string, feedback: Feedback): Promise<AnswerWrite> {
    const { week, role, ...answer } = feedback;
    const key = { pk: pk(id), sk: feedbackKey(week, role) };
    const written = await this.writeIf(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression:
          'SET week = :week, #role = :role, rating = :rating, #comment = :comment, unfinishedTaskIds = :unfinished, #source = :source, #from = :from, #at = :at, ' +
          '#history = list_append(if_not_exists(#history, :empty), :answer)',
        ExpressionAttributeNames: {
          '#role': 'role',
          '#comment': 'comment',
          '#source': 'source',
          '#from': 'from',
          '#at': 'at',
          '#history': 'history',
        },
        ExpressionAttributeValues: {
          ':week': week,
          ':role': role,
          ':rating': answer.rating,
          ':comment': answer.comment ?? null,
          ':unfinished': answer.unfinishedTaskIds,
          ':source': answer.source,
          ':from': answer.from ?? null,
          ':at': answer.at,
          ':empty': [],
          ':answer': [answer],
          ':kept': MAX_ANSWERS_KEPT,
        },
        ConditionExpression: `attribute_not_exists(closedAt) AND ${HISTORY_HAS_ROOM}`,
      }),
    );
    return written ? 'recorded' : this.whyRefused(key);
  }

  /**
   * Asks the owner about `week` under its stable action id (`DECISION#NN`), keeping the waiting
   * workflow's task token beside the question. A question still waiting takes the new token (a
   * retried ask); one already decided or timed out is returned as it is, and keeps no token: the
   * caller hands this one straight back.
   */
  async askOwner(
    id: string,
    ask: { week: number; askedAt: string; dueAt: string },
    taskToken: string,
  ): Promise<StoredDecision> {
    const written = await this.writeIf(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pk(id), sk: decisionKey(ask.week) },
        UpdateExpression:
          'SET #week = :week, #askedAt = if_not_exists(#askedAt, :askedAt), #dueAt = :dueAt, #state = :waiting, #token = :token',
        ConditionExpression: 'attribute_not_exists(pk) OR #state = :waiting',
        ExpressionAttributeNames: {
          '#week': 'week',
          '#askedAt': 'askedAt',
          '#dueAt': 'dueAt',
          '#state': 'state',
          '#token': 'taskToken',
        },
        ExpressionAttributeValues: {
          ':week': ask.week,
          ':askedAt': ask.askedAt,
          ':dueAt': ask.dueAt,
          ':waiting': 'waiting',
          ':token': taskToken,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (written?.Attributes) return withoutKeys<StoredDecision>(written.Attributes);
    const existing = await this.findDecision(id, ask.week);
    if (!existing) throw new OnboardingNotFound(`${id} decision ${ask.week}`);
    return existing;
  }

  async findDecision(id: string, week: number): Promise<StoredDecision | undefined> {
    const { Item } = await callAws(() =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: pk(id), sk: decisionKey(week) },
          ConsistentRead: true,
        }),
      ),
    );
    return Item ? withoutKeys<StoredDecision>(Item) : undefined;
  }

  /**
   * Records the owner's decision, if the question is still waiting: the first decision wins, and
   * neither a second one nor the deadline can change it. Returns the question as stored after the
   * attempt (with the task token, for the caller to hand back), and whether this call decided it.
   */
  async decideAsOwner(
    id: string,
    week: number,
    decision: { choice: OwnerChoice; by: string; via: DecisionChannel; at: string },
  ): Promise<{ recorded: boolean; decision: StoredDecision | undefined }> {
    const written = await this.writeIf(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pk(id), sk: decisionKey(week) },
        UpdateExpression:
          'SET #state = :decided, #choice = :choice, decidedBy = :by, decidedVia = :via, decidedAt = :at',
        ConditionExpression: '#state = :waiting',
        ExpressionAttributeNames: { '#state': 'state', '#choice': 'choice' },
        ExpressionAttributeValues: {
          ':decided': 'decided',
          ':waiting': 'waiting',
          ':choice': decision.choice,
          ':by': decision.by,
          ':via': decision.via,
          ':at': decision.at,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (written?.Attributes)
      return { recorded: true, decision: withoutKeys<StoredDecision>(written.Attributes) };
    return { recorded: false, decision: await this.findDecision(id, week) };
  }

  /**
   * Closes the question once the workflow stops waiting: timed out, unless the owner decided
   * first (their decision stands even if its callback came too late). The token is dropped either
   * way: nothing waits on it any more. Returns the question as closed.
   */
  async settleDecision(id: string, week: number, at: string): Promise<DecisionRequest> {
    const written = await this.writeIf(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pk(id), sk: decisionKey(week) },
        UpdateExpression: 'SET #state = :timedOut, timedOutAt = :at REMOVE #token',
        ConditionExpression: '#state = :waiting',
        ExpressionAttributeNames: { '#state': 'state', '#token': 'taskToken' },
        ExpressionAttributeValues: { ':timedOut': 'timed-out', ':waiting': 'waiting', ':at': at },
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (written?.Attributes) return withoutKeys<DecisionRequest>(written.Attributes);
    const existing = await this.findDecision(id, week);
    if (!existing) throw new OnboardingNotFound(`${id} decision ${week}`);
    const { taskToken, ...request } = existing;
    if (taskToken) await this.forgetDecisionToken(id, week, taskToken);
    return request;
  }

  /** Forgets a decision's task token once it was sent back; a newer one kept since stays. */
  async forgetDecisionToken(id: string, week: number, taskToken: string): Promise<void> {
    await this.writeIf(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pk(id), sk: decisionKey(week) },
        UpdateExpression: 'REMOVE #token',
        ConditionExpression: '#token = :token',
        ExpressionAttributeNames: { '#token': 'taskToken' },
        ExpressionAttributeValues: { ':token': taskToken },
      }),
    );
  }

  /**
   * Records on the week what came of asking the owner, once (a retried step gets the first
   * record): the answer, and whether next week releases new work.
   */
  async recordOwnerAnswer(
    id: string,
    week: number,
    applied: { owner: OwnerAnswer; releaseNew: boolean },
  ): Promise<RecordedDecision> {
    const written = await this.writeIf(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pk(id), sk: weekKey(week) },
        UpdateExpression: 'SET decision.#owner = :answer, decision.releaseNew = :releaseNew',
        ConditionExpression: 'attribute_exists(decision) AND attribute_not_exists(decision.#owner)',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':answer': applied.owner, ':releaseNew': applied.releaseNew },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const decision = written?.Attributes
      ? withoutKeys<WeekRecord>(written.Attributes).decision
      : (await this.getWeek(id, week))?.decision;
    if (!decision) throw new OnboardingNotFound(`${id} week ${week}`);
    return decision;
  }

  /**
   * Records a reference's answer (due diligence), unless the scoring has closed the answers
   * (`closeReferenceAnswers`): `closed` then, and nothing is written. A later answer from the same
   * reference replaces the scores and keeps the earlier answers in `history`, up to
   * MAX_ANSWERS_KEPT (`too-many-answers` after that, nothing written).
   */
  async putReferenceAnswer(id: string, answer: ReferenceAnswer): Promise<AnswerWrite> {
    const { reference, ...rest } = answer;
    const key = { pk: pk(id), sk: referenceKey(reference) };
    const written = await this.writeIf(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression:
          'SET #reference = :reference, scores = :scores, #comment = :comment, #at = :at, independent = :independent, ' +
          '#history = list_append(if_not_exists(#history, :empty), :answer)',
        ExpressionAttributeNames: {
          '#reference': 'reference',
          '#comment': 'comment',
          '#at': 'at',
          '#history': 'history',
        },
        ExpressionAttributeValues: {
          ':reference': reference,
          ':scores': rest.scores,
          ':comment': rest.comment ?? null,
          ':at': rest.at,
          ':independent': rest.independent,
          ':empty': [],
          ':answer': [rest],
          ':kept': MAX_ANSWERS_KEPT,
        },
        ConditionExpression: `attribute_not_exists(closedAt) AND ${HISTORY_HAS_ROOM}`,
      }),
    );
    return written ? 'recorded' : this.whyRefused(key);
  }

  /** Why an answer's conditional write was refused: the rare path, read once. */
  private async whyRefused(key: Record<string, string>): Promise<Exclude<AnswerWrite, 'recorded'>> {
    const { Item } = await callAws(() =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })),
    );
    return Item?.closedAt !== undefined ? 'closed' : 'too-many-answers';
  }

  /** Every reference's latest answer, in the plan's order. */
  async listReferenceAnswers(id: string): Promise<ReferenceAnswer[]> {
    const items = await this.queryPrefix<
      ReferenceAnswer & { history?: unknown; comment: string | null; closedAt?: string }
    >(id, 'REFERENCE#');
    // The scoring's mark on a reference that never answered holds no answer.
    return items.filter(answered).map(({ history: _, closedAt: __, comment, ...answer }) => ({
      ...answer,
      ...(comment ? { comment } : {}),
    }));
  }

  /**
   * Closes the references' answers before they are scored, as the gate closes a week's: each
   * reference's item is marked (created as a mark alone for one that never answered), and an
   * answer written after the mark is refused (`putReferenceAnswer`). Every answer stored is then
   * one the scoring reads. The first mark stands: a retried scoring does not move it.
   */
  async closeReferenceAnswers(id: string, references: number, at: string): Promise<void> {
    await this.markClosed(
      id,
      Array.from({ length: references }, (_, i) => referenceKey(i + 1)),
      at,
    );
  }

  /**
   * Marks answer items closed (`closedAt`), making a mark alone for one never answered. The first
   * mark stands: a retried gate or scoring does not move it.
   */
  private async markClosed(id: string, sortKeys: readonly string[], at: string): Promise<void> {
    await Promise.all(
      sortKeys.map((sk) =>
        callAws(() =>
          this.db.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { pk: pk(id), sk },
              UpdateExpression: 'SET closedAt = if_not_exists(closedAt, :at)',
              ExpressionAttributeValues: { ':at': at },
            }),
          ),
        ),
      ),
    );
  }

  /** Records the due diligence's verdict, once: a retried step gets the first one back. */
  async recordDueDiligence(id: string, verdict: DueDiligenceVerdict): Promise<DueDiligenceVerdict> {
    const written = await this.writeIf(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: pk(id), sk: DUE_DILIGENCE, ...verdict },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    if (written) return verdict;
    const existing = await this.findDueDiligence(id);
    if (!existing) throw new OnboardingNotFound(`${id} due diligence`);
    return existing;
  }

  /** Records on the verdict what came of asking the owner, once (a retried step gets the first). */
  async recordDueDiligenceAnswer(id: string, answer: OwnerAnswer): Promise<DueDiligenceVerdict> {
    const written = await this.writeIf(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pk(id), sk: DUE_DILIGENCE },
        UpdateExpression: 'SET #owner = :answer',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#owner)',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':answer': answer },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const verdict = written?.Attributes
      ? withoutKeys<DueDiligenceVerdict>(written.Attributes)
      : await this.findDueDiligence(id);
    if (!verdict) throw new OnboardingNotFound(`${id} due diligence`);
    return verdict;
  }

  async findDueDiligence(id: string): Promise<DueDiligenceVerdict | undefined> {
    const { Item } = await callAws(() =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: pk(id), sk: DUE_DILIGENCE },
          ConsistentRead: true,
        }),
      ),
    );
    return Item ? withoutKeys<DueDiligenceVerdict>(Item) : undefined;
  }

  async listWeeks(id: string): Promise<WeekRecord[]> {
    return this.queryPrefix<WeekRecord>(id, 'WEEK#');
  }

  /** Every answer to every check-in (the latest per week and side). */
  async listFeedback(id: string): Promise<Feedback[]> {
    return (
      await this.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk(id), ':prefix': 'FEEDBACK#' },
        ConsistentRead: true,
      })
    )
      .filter(answered)
      .map(fromFeedbackItem);
  }

  /** The emails sent for the onboarding; only those of one kind (and one week) when `of` says so. */
  async listEmails(id: string, of?: { kind: EmailKind; week?: number }): Promise<EmailRecord[]> {
    const kind = of ? `${of.kind}#` : '';
    const week = of?.week === undefined ? '' : `${String(of.week).padStart(2, '0')}#`;
    return this.queryPrefix<EmailRecord>(id, `EMAIL#${kind}${week}`);
  }

  /**
   * Claims the sending of one batch of emails (one kind, one week: the check-ins of week 3, say)
   * before any is sent. Returns the roles already sent by an earlier attempt that failed part way,
   * or `undefined` when the batch is sent or being sent by another attempt: a retried step then
   * sends nothing, so nobody gets the same email twice.
   */
  async claimSending(id: string, kind: EmailKind, week: number, at: string): Promise<Role[] | undefined> {
    const written = await this.writeIf(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: pk(id), sk: sendingKey(kind, week), state: 'sending', sentRoles: [], claimedAt: at },
        ConditionExpression: 'attribute_not_exists(pk) OR #state = :retry',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':retry': 'retry' },
        ReturnValues: 'ALL_OLD',
      }),
    );
    if (!written) return undefined;
    return (written.Attributes?.sentRoles as Role[] | undefined) ?? [];
  }

  /**
   * Records the emails of a claimed batch that were sent, in one write, and closes the claim:
   * `sent` when all went out, `retry` when a send failed, so the step's retry sends the rest.
   */
  async recordSent(
    id: string,
    batch: { kind: EmailKind; week: number; claimedAt: string; alreadySent: Role[]; complete: boolean },
    emails: EmailRecord[],
  ): Promise<void> {
    const claim = {
      pk: pk(id),
      sk: sendingKey(batch.kind, batch.week),
      state: batch.complete ? 'sent' : 'retry',
      sentRoles: [...batch.alreadySent, ...emails.map((e) => e.role)],
      claimedAt: batch.claimedAt,
    };
    let requests = [
      { PutRequest: { Item: claim } },
      ...emails.map((email) => ({
        PutRequest: { Item: { pk: pk(id), sk: emailKey(email.kind, email.week, email.role), ...email } },
      })),
    ];
    // BatchWrite may leave items unprocessed under throttling; write those again, a few times.
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt === 4) throw new TransientError('BatchWrite left email records unprocessed');
      const { UnprocessedItems } = await callAws(() =>
        this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } })),
      );
      requests = (UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
    }
  }

  /**
   * Items of one onboarding by sort key, in one BatchGet (consistent reads): each in the place of
   * its key, `undefined` where there is none.
   */
  private async getOwnItems(
    id: string,
    sortKeys: string[],
  ): Promise<Array<Record<string, unknown> | undefined>> {
    const { Responses, UnprocessedKeys } = await callAws(() =>
      this.db.send(
        new BatchGetCommand({
          RequestItems: {
            [this.tableName]: {
              Keys: sortKeys.map((sk) => ({ pk: pk(id), sk })),
              ConsistentRead: true,
            },
          },
        }),
      ),
    );
    // A few small items are never over BatchGet's limits; unprocessed keys mean throttling.
    if (UnprocessedKeys?.[this.tableName]) throw new TransientError('BatchGet left keys unprocessed');
    const items = Responses?.[this.tableName] ?? [];
    return sortKeys.map((sk) => items.find((item) => item.sk === sk));
  }

  /**
   * The titles of onboardings stored before the title was kept beside the plan, from their plans,
   * in one BatchGet (at most a page of them: 100 keys, BatchGet's limit). Plans are large, so a
   * throttled or oversized answer may leave keys unprocessed: those are asked for again, a few times.
   */
  private async plannedTitles(ids: string[]): Promise<Map<string, string>> {
    const titles = new Map<string, string>();
    let keys: Record<string, unknown>[] = ids.map((id) => ({ pk: pk(id), sk: ONBOARDING }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt === 4) throw new TransientError('BatchGet left plans unprocessed');
      const { Responses, UnprocessedKeys } = await callAws(() =>
        this.db.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                ProjectionExpression: '#id, #plan',
                ExpressionAttributeNames: { '#id': 'id', '#plan': 'plan' },
              },
            },
          }),
        ),
      );
      for (const item of Responses?.[this.tableName] ?? []) {
        const plan = JSON.parse(String(item.plan)) as Pick<Onboarding['plan'], 'title'>;
        titles.set(String(item.id), plan.title);
      }
      keys = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return titles;
  }

  /** Every item of the onboarding whose sort key is at or after `from`. */
  private queryFrom(id: string, from: string): Promise<Record<string, unknown>[]> {
    return this.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk >= :from',
      ExpressionAttributeValues: { ':pk': pk(id), ':from': from },
      ConsistentRead: true,
    });
  }

  /**
   * Sends a write guarded by a condition: its output, or `undefined` when the condition refused
   * it (another writer got there first, or the item is not in the state the write expects).
   */
  private async writeIf(
    command: PutCommand | UpdateCommand,
  ): Promise<PutCommandOutput | UpdateCommandOutput | undefined> {
    try {
      return await callAws(() => this.db.send(command as PutCommand));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  private async queryPrefix<T>(id: string, prefix: string): Promise<T[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk(id), ':prefix': prefix },
      ConsistentRead: true,
    });
    return items.map((item) => withoutKeys<T>(item));
  }

  /** Every page of a Query, through the SDK's paginator. */
  private async queryAll(query: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    const pages = paginateQuery({ client: this.db }, { TableName: this.tableName, ...query });
    await callAws(async () => {
      for await (const page of pages) items.push(...(page.Items ?? []));
    });
    return items;
  }
}

/**
 * The plan is stored as one JSON string, not as a DynamoDB map: it is a document that is read
 * whole and never queried by attribute, and every step reads it, so one string attribute keeps
 * each read cheap to (de)serialize however many tasks the plan has. Its title is kept beside it
 * too (a plan never changes once started, so the copy cannot drift): a listing reads the title
 * without the plan.
 */
function toOnboardingItem(onboarding: Onboarding): Record<string, unknown> {
  return {
    pk: pk(onboarding.id),
    sk: ONBOARDING,
    ...onboarding,
    title: onboarding.plan.title,
    plan: JSON.stringify(onboarding.plan),
  };
}

function fromOnboardingItem(item: Record<string, unknown>): Onboarding {
  // The title's copy is the listing's; the onboarding has it in its plan.
  const { title: _title, ...onboarding } = withoutKeys<
    Omit<Onboarding, 'plan'> & { plan: string; title?: string }
  >(item);
  return { ...onboarding, plan: JSON.parse(onboarding.plan) as Onboarding['plan'] };
}

/** An answer as the workflow reads it: without the earlier answers, and without empty fields. */
function fromFeedbackItem(item: Record<string, unknown>): Feedback {
  const {
    history: _,
    closedAt: __,
    comment,
    from,
    ...answer
  } = withoutKeys<
    Feedback & { history: unknown; closedAt?: string; comment: string | null; from: string | null }
  >(item);
  return { ...answer, ...(comment ? { comment } : {}), ...(from ? { from } : {}) };
}

/** The onboarding, its weeks and the answers among one Query's items (`getOnboardingHistory`). */
function historyOf(id: string, items: Record<string, unknown>[]): OnboardingHistory {
  const isAnswerItem = (item: Record<string, unknown>) => String(item.sk).startsWith('FEEDBACK#');
  return {
    ...splitOnboardingAndWeeks(
      id,
      items.filter((item) => !isAnswerItem(item)),
    ),
    feedback: items.filter(isAnswerItem).filter(answered).map(fromFeedbackItem),
  };
}

/**
 * An answer item that holds an answer (a check-in's rating, a reference's scores): the close mark
 * of the gate or the scoring on one never answered holds none.
 */
function answered(item: { rating?: unknown; scores?: unknown }): boolean {
  return item.rating !== undefined || item.scores !== undefined;
}

function splitOnboardingAndWeeks(
  id: string,
  items: Record<string, unknown>[],
): { onboarding: Onboarding; weeks: WeekRecord[] } {
  const [first, ...rest] = items;
  if (!first || first.sk !== ONBOARDING) throw new OnboardingNotFound(id);
  // REFERENCE# items (due diligence) sort between the onboarding and its weeks.
  const weeks = rest.filter((item) => String(item.sk).startsWith('WEEK#'));
  return { onboarding: fromOnboardingItem(first), weeks: weeks.map((item) => withoutKeys<WeekRecord>(item)) };
}

function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}
