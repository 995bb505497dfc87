import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_CSP, PRODUCTION_CSP } from '../../src/shared/content-security-policy.js';
import { UI_CONTENT_SECURITY_POLICY } from '../../src/server/ui-server.js';

function directives(policy: string): Map<string, string> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const [name = '', ...values] = part.split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
  );
}

describe('content security policy', () => {
  it('is the one of DESIGN.md section 9', () => {
    const policy = directives(PRODUCTION_CSP);
    expect(policy.get('default-src')).toBe("'self'");
    expect(policy.get('script-src')).toBe("'self'");
    expect(policy.get('style-src')).toBe("'self' 'unsafe-inline'");
    expect(policy.get('img-src')).toBe("'self' data:");
  });

  it('is identical in the Electron build and the headless UI server', () => {
    expect(UI_CONTENT_SECURITY_POLICY).toBe(PRODUCTION_CSP);
  });

  it('loosens only script-src in development', () => {
    const prod = directives(PRODUCTION_CSP);
    const dev = directives(DEVELOPMENT_CSP);
    expect(dev.get('script-src')).toBe("'self' 'unsafe-inline'");
    for (const [name, value] of prod) if (name !== 'script-src') expect(dev.get(name)).toBe(value);
  });

  const built = resolve(import.meta.dirname, '../../out/renderer/index.html');
  it.skipIf(!existsSync(built))('is the <meta> policy of the built renderer', () => {
    const html = readFileSync(built, 'utf8');
    const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi)];
    expect(metas).toHaveLength(1);
    const content = (metas[0]?.[1] ?? '').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    expect(content).toBe(PRODUCTION_CSP);
  });
});
