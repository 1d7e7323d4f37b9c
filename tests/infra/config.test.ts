import { describe, expect, it } from 'vitest';
import { readDeployConfig } from '#infra/config';

const contextOf = (values: Record<string, unknown>) => (key: string) => values[key];
const valid = { senderEmail: 'onramp@example.com', operatorEmail: 'ops@example.com' };

describe('deploy configuration', () => {
  it('reads both addresses and defaults log retention to 30 days', () => {
    expect(readDeployConfig(contextOf(valid))).toEqual({ ...valid, logRetentionDays: 30 });
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
});
