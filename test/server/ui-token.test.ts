import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { loadOrCreateUiToken, UI_TOKEN_FILE } from '../../src/server/ui-token.js';
import { useTempDir } from '../support/temp-dir.js';

const tempDir = useTempDir();

describe('UI token', () => {
  it('is random, private (0600) and the same after a restart', () => {
    const dir = tempDir();
    const token = loadOrCreateUiToken(dir, {});
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.statSync(path.join(dir, UI_TOKEN_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateUiToken(dir, {})).toBe(token);
    expect(loadOrCreateUiToken(tempDir(), {})).not.toBe(token);
  });

  it('is replaced when others could read it', () => {
    const dir = tempDir();
    const token = loadOrCreateUiToken(dir, {});
    fs.chmodSync(path.join(dir, UI_TOKEN_FILE), 0o644);
    const replaced = loadOrCreateUiToken(dir, {});
    expect(replaced).not.toBe(token);
    expect(fs.statSync(path.join(dir, UI_TOKEN_FILE)).mode & 0o777).toBe(0o600);
  });

  it('takes FLOWSCOPE_UI_TOKEN, refusing a weak one', () => {
    const strong = 'a'.repeat(40);
    expect(loadOrCreateUiToken(tempDir(), { FLOWSCOPE_UI_TOKEN: strong })).toBe(strong);
    expect(() => loadOrCreateUiToken(tempDir(), { FLOWSCOPE_UI_TOKEN: 'secret' })).toThrow(/32 to 256/);
  });
});
