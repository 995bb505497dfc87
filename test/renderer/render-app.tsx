/**
 * Renders the whole UI over a FakeTransport, with animation frames under the test's control so
 * that "applied once per frame" can be observed (frames.run() plays the pending frames).
 */
import { act, render } from '@testing-library/react';
import { AppShell } from '../../src/renderer/src/components/AppShell.js';
import { createApp, type App } from '../../src/renderer/src/store/app.js';
import { AppProvider } from '../../src/renderer/src/store/app-context.js';
import { createClient } from '../../src/renderer/src/transport/client.js';
import type { FakeTransport } from './fake-transport.js';

export class ManualFrames {
  private pending: (() => void)[] = [];
  readonly schedule = (callback: () => void) => {
    this.pending.push(callback);
  };
  get size(): number {
    return this.pending.length;
  }
  /** Runs every frame callback scheduled so far (and any they schedule), inside act(). */
  async run(): Promise<void> {
    await act(async () => {
      while (this.pending.length > 0) {
        const callbacks = this.pending;
        this.pending = [];
        for (const callback of callbacks) callback();
        await Promise.resolve();
      }
    });
    await settle();
  }
}

/** Lets pending transport promises resolve and React re-render. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) {
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
  }
}

export async function renderApp(transport: FakeTransport): Promise<{ app: App; frames: ManualFrames; view: ReturnType<typeof render> }> {
  const frames = new ManualFrames();
  const app = createApp({ client: createClient(transport), scheduleFrame: frames.schedule, refreshIntervalMs: 0 });
  let view!: ReturnType<typeof render>;
  await act(async () => {
    view = render(
      <AppProvider app={app}>
        <AppShell />
      </AppProvider>,
    );
    await app.start();
  });
  await settle();
  return { app, frames, view };
}
