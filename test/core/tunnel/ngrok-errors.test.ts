import { describe, expect, it } from 'vitest';
import { cleanNgrokText, ngrokErrorCode, tunnelErrorFromNgrok } from '../../../src/core/tunnel/ngrok-errors.js';
import { TunnelError } from '../../../src/core/tunnel/tunnel-provider.js';

const TOKEN = '2Zx9FAKEtokenVALUE_4bQpL7mN3kR8sT1uV';

/** An error as `@ngrok/ngrok` 1.x throws it: napi's `code`, the message ending in `error_code: …`, and `errorCode`. */
function sdkError(code: string | null, text: string): Error {
  const message = code === null ? text : `${text}\n\n${code}\n, error_code: ${code}`;
  const error = Object.assign(new Error(message), { code: 'GenericFailure' });
  return code === null ? error : Object.assign(error, { errorCode: code });
}

const authFailure = (text: string) => `failed to connect session: authentication failed: ${text}`;

describe('tunnelErrorFromNgrok', () => {
  it.each([
    ['ERR_NGROK_105', authFailure(`The authtoken you specified does not look like a proper ngrok tunnel authtoken.\nYour authtoken: ${TOKEN}`), 'authtoken-malformed', false, /malformed.*dashboard\.ngrok\.com\/get-started\/your-authtoken/],
    ['ERR_NGROK_107', authFailure(`The authtoken you specified is properly formed, but it is invalid.\nYour authtoken: ${TOKEN}`), 'authtoken-invalid', false, /reset or revoked/],
    ['ERR_NGROK_4018', authFailure('Usage of ngrok requires a verified account and authtoken.'), 'authtoken-missing', false, /add your ngrok authtoken: https:\/\/dashboard\.ngrok\.com\/get-started\/your-authtoken/],
    ['ERR_NGROK_108', authFailure('Your account is limited to 1 simultaneous ngrok agent sessions.'), 'too-many-sessions', true, /another ngrok agent is running/],
    ['ERR_NGROK_334', 'failed to start listener: The tunnel https://me.ngrok-free.app is already bound to another tunnel session', 'endpoint-already-online', true, /already online/],
    ['ERR_NGROK_319', 'failed to start listener: You must reserve a custom hostname for your account before it can be bound.', 'domain-not-reserved', false, /not reserved on your account/],
    ['ERR_NGROK_320', 'failed to start listener: This domain is reserved for another account.', 'domain-taken', false, /reserved by another ngrok account/],
    ['ERR_NGROK_725', 'failed to connect session: bandwidth limit', 'quota-exceeded', false, /monthly quota/],
    ['ERR_NGROK_727', 'failed to connect session: request limit', 'quota-exceeded', false, /monthly quota/],
  ] as const)('maps %s to a sentence the user can act on', (code, text, kind, retryable, sentence) => {
    const mapped = tunnelErrorFromNgrok(sdkError(code, text), [TOKEN]);
    expect(mapped).toBeInstanceOf(TunnelError);
    expect(mapped).toMatchObject({ kind, code, retryable });
    expect(mapped.message).toMatch(sentence);
    expect(mapped.message).not.toContain(TOKEN);
    expect(mapped.cause).toBeUndefined();
  });

  it('recognizes a code found only in the message (errorCode not populated)', () => {
    const error = new Error(`${authFailure('invalid')}\n, error_code: ERR_NGROK_107`);
    expect(tunnelErrorFromNgrok(error).code).toBe('ERR_NGROK_107');
    expect(ngrokErrorCode({ errorCode: 'nonsense', message: 'no code here' })).toBeNull();
  });

  it('says the network is down when the first connect fails with no code', () => {
    for (const text of [
      'failed to connect session: failed to establish tcp connection',
      'failed to connect session: failed to resolve connect.ngrok-agent.com',
      'failed to connect session: connection timed out',
    ]) {
      const mapped = tunnelErrorFromNgrok(sdkError(null, text), [TOKEN]);
      expect(mapped).toMatchObject({ kind: 'offline', code: null, retryable: true });
      expect(mapped.message).toBe('Cannot reach ngrok — network down? Check your internet connection.');
    }
  });

  it('shows unknown codes as "ngrok error <code>: <message>", scrubbing echoed tokens', () => {
    const text = authFailure(`The authtoken you specified is an ngrok v1 authtoken.\nYour authtoken: some-other-token\nSee ${TOKEN}`);
    const mapped = tunnelErrorFromNgrok(sdkError('ERR_NGROK_106', text), [TOKEN]);
    expect(mapped.kind).toBe('other');
    expect(mapped.message).toMatch(/^ngrok error ERR_NGROK_106: failed to connect session: authentication failed: The authtoken/);
    expect(mapped.message).not.toContain('some-other-token');
    expect(mapped.message).not.toContain(TOKEN);
    expect(mapped.message).toContain('Your authtoken: ***');
    expect(mapped.message.match(/ERR_NGROK_106/g)).toHaveLength(1);
  });

  it('shows an uncoded, unrecognized failure with its redacted text', () => {
    const mapped = tunnelErrorFromNgrok(new Error(`unhandled protocol for ${TOKEN}`), [TOKEN]);
    expect(mapped.message).toBe('ngrok error: unhandled protocol for ***');
    expect(tunnelErrorFromNgrok('weird').message).toBe('ngrok error: weird');
    expect(tunnelErrorFromNgrok(undefined).message).toBe('ngrok error');
  });

  it('keeps long ngrok texts short', () => {
    expect(cleanNgrokText('x'.repeat(2000), []).length).toBeLessThanOrEqual(400);
  });
});
