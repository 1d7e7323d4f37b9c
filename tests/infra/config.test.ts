import { describe, expect, it } from 'vitest';
import { readDeployConfig } from '#infra/config';

const contextOf = (values: Record<string, unknown>) => (key: string) => values[key];
const valid = { senderEmail: 'onramp@example.com', operatorEmail: 'ops@example.com' };

describe('deploy configuration', () => {
  it('reads both addresses and defaults log retention to 30 days, the API to 50 rps with bursts of 100, and no inbound mail', () => {
    expect(readDeployConfig(contextOf(valid))).toEqual({
      ...valid,
      logRetentionDays: 30,
      apiRateLimit: 50,
      apiBurstLimit: 100,
    });
    expect(readDeployConfig(contextOf(valid)).inbound).toBeUndefined();
  });

  it('accepts a log retention given on the command line, as a string', () => {
    expect(readDeployConfig(contextOf({ ...valid, logRetentionDays: '90' })).logRetentionDays).toBe(90);
  });

  it('names a missing senderEmail and shows how to pass it', () => {
    const read = () => readDeployConfig(contextOf({ operatorEmail: valid.operatorEmail }));
    expect(read).toThrow(/senderEmail is required/);
    expect(read).toThrow('npx cdk deploy -c senderEmail=onramp@example.com -c operatorEmail=ops@example.com');
  });

  it('names a malformed operatorEmail and the value it got', () => {
    const read = () => readDeployConfig(contextOf({ ...valid, operatorEmail: 'ops-at-example' }));
    expect(read).toThrow(
      /operatorEmail must be an email address \(context key "operatorEmail", got "ops-at-example"\)/,
    );
  });

  it('rejects a log retention CloudWatch does not offer', () => {
    expect(() => readDeployConfig(contextOf({ ...valid, logRetentionDays: 31 }))).toThrow(
      /logRetentionDays must be one of/,
    );
  });

  it('accepts API throttling given on the command line, as strings', () => {
    const config = readDeployConfig(contextOf({ ...valid, apiRateLimit: '12.5', apiBurstLimit: '30' }));
    expect([config.apiRateLimit, config.apiBurstLimit]).toEqual([12.5, 30]);
  });

  it.each([
    [{ apiRateLimit: 'fast' }, /apiRateLimit must be a number of requests per second/],
    [{ apiRateLimit: '0' }, /apiRateLimit must be greater than 0/],
    [{ apiRateLimit: '20000' }, /apiRateLimit must be at most 10000/],
    [{ apiBurstLimit: '2.5' }, /apiBurstLimit must be a whole number/],
    [{ apiBurstLimit: '9000' }, /apiBurstLimit must be at most 5000/],
  ])('rejects throttling API Gateway cannot apply: %o', (values, message) => {
    expect(() => readDeployConfig(contextOf({ ...valid, ...values }))).toThrow(message);
  });

  it('reads the inbound address and the allowed senders, trimmed and lower-cased, addresses and @domains', () => {
    const config = readDeployConfig(
      contextOf({
        ...valid,
        inboundAddress: 'Plans@Example.com',
        allowedSenders: ' Owner@example.com, @Partner.example ,',
      }),
    );
    expect(config.inbound).toEqual({
      address: 'plans@example.com',
      allowedSenders: ['owner@example.com', '@partner.example'],
    });
  });

  it('requires allowedSenders with inboundAddress, and the other way round, naming the missing key', () => {
    expect(() => readDeployConfig(contextOf({ ...valid, inboundAddress: 'plans@example.com' }))).toThrow(
      /allowedSenders is required with inboundAddress.*\(context key "allowedSenders", got nothing\)/,
    );
    expect(() => readDeployConfig(contextOf({ ...valid, allowedSenders: 'owner@example.com' }))).toThrow(
      /inboundAddress is required with allowedSenders.*\(context key "inboundAddress", got nothing\)/,
    );
  });

  it('reports a missing allowedSenders along with every other problem, not after them', () => {
    const read = () =>
      readDeployConfig(
        contextOf({ operatorEmail: valid.operatorEmail, inboundAddress: 'plans@example.com' }),
      );
    expect(read).toThrow(/senderEmail is required/);
    expect(read).toThrow(/allowedSenders is required/);
  });

  it('rejects a malformed inboundAddress, naming it and the value it got', () => {
    const read = () =>
      readDeployConfig(
        contextOf({ ...valid, inboundAddress: 'plans-at-example', allowedSenders: 'owner@example.com' }),
      );
    expect(read).toThrow(
      /inboundAddress must be an email address \(context key "inboundAddress", got "plans-at-example"\)/,
    );
  });

  it.each([
    ['owner', 'owner'],
    ['@localhost', '@localhost'],
    ['owner@example.com, someone', 'someone'],
  ])(
    'rejects an allowedSenders entry that is neither an address nor an @domain: %s',
    (allowedSenders, entry) => {
      expect(() =>
        readDeployConfig(contextOf({ ...valid, inboundAddress: 'plans@example.com', allowedSenders })),
      ).toThrow(
        `allowedSenders "${entry}" is neither an address (owner@example.com) nor a domain (@example.com)`,
      );
    },
  );

  it('rejects an allowedSenders list with no entry', () => {
    expect(() =>
      readDeployConfig(contextOf({ ...valid, inboundAddress: 'plans@example.com', allowedSenders: ' , ' })),
    ).toThrow(/allowedSenders lists no address or @domain/);
  });
});
