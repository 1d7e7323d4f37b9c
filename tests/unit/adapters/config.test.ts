import { describe, expect, it } from 'vitest';
import { readEmail, readString } from '#adapters/config';

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

describe('readEmail', () => {
  it('reads an address', () => {
    // Act
    const address = readEmail({ SENDER_EMAIL: 'onramp@example.com' }, 'SENDER_EMAIL');

    // Assess
    expect(address).toBe('onramp@example.com');
  });

  it('rejects a malformed address, naming the variable', () => {
    // Act
    const read = () => readEmail({ SENDER_EMAIL: 'onramp.example.com' }, 'SENDER_EMAIL');

    // Assess
    expect(read).toThrow(/^Environment variable SENDER_EMAIL must be an email address/);
  });
});
