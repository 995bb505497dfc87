import { describe, expect, it } from 'vitest';
import { redact } from '../../../src/core/secrets/redact.js';

describe('redact', () => {
  it('replaces every occurrence of every secret with ***', () => {
    const text = 'token abc123 and abc123 again, key xyz';
    expect(redact(text, ['abc123', 'xyz'])).toBe('token *** and *** again, key ***');
  });

  it('ignores empty, null and undefined secrets', () => {
    expect(redact('nothing to hide', ['', null, undefined])).toBe('nothing to hide');
  });

  it('masks a secret containing another one as a whole', () => {
    expect(redact('value: secret-long', ['secret', 'secret-long'])).toBe('value: ***');
  });

  it('masks the percent-encoded form too', () => {
    const secret = 'p@ss/w0rd';
    expect(redact(`https://u:${encodeURIComponent(secret)}@x.test and ${secret}`, [secret])).toBe('https://u:***@x.test and ***');
  });

  it('treats secrets literally, not as patterns', () => {
    expect(redact('a.b a+b', ['a.b'])).toBe('*** a+b');
  });
});
