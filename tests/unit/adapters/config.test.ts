import { describe, expect, it } from 'vitest';
import { loadMailConfig, readString } from '#adapters/config';

describe('readString', () => {
  it('returns the trimmed value of a set variable', () => {
    // Act
    const value = readString({ TABLE_NAME: ' onramp-table ' }, 'TABLE_NAME');

    // Assess
    expect(value).toBe('onramp-table');
  });

  it('throws naming a missing variable', () => {
    // Act
    const read = () => readString({}, 'TABLE_NAME');

    // Assess
    expect(read).toThrow('Environment variable TABLE_NAME is required but not set');
  });

  it('treats a blank variable as missing', () => {
    // Act
    const read = () => readString({ TABLE_NAME: '   ' }, 'TABLE_NAME');

    // Assess
    expect(read).toThrow(/TABLE_NAME/);
  });
});

describe('loadMailConfig', () => {
  it('reads the sender and operator addresses', () => {
    // Act
    const config = loadMailConfig({ SENDER_EMAIL: 'onramp@example.com', OPERATOR_EMAIL: 'ops@example.com' });

    // Assess
    expect(config).toEqual({ senderEmail: 'onramp@example.com', operatorEmail: 'ops@example.com' });
  });

  it('rejects a malformed SENDER_EMAIL, naming it', () => {
    // Act
    const load = () =>
      loadMailConfig({ SENDER_EMAIL: 'onramp.example.com', OPERATOR_EMAIL: 'ops@example.com' });

    // Assess
    expect(load).toThrow(/^Environment variable SENDER_EMAIL must be an email address/);
  });
});
