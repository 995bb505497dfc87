/**
 * The tunnel step of Connect: a TunnelSupervisor over the chosen provider (ngrok, or the user's
 * own URL), whose status is mirrored into the connection's status with any password masked.
 * A cancelled Connect stops the supervisor, which makes an open in flight fail as `cancelled`.
 */
import { TunnelSupervisor } from '../tunnel/tunnel-supervisor.js';
import type { ConnectionDeps, TunnelChoice } from './connection-deps.js';
import { tunnelInfo, type StatusBoard } from './connection-status.js';
import { displayUrl } from './display-url.js';
import { StepError } from './step-errors.js';

export async function openTunnel(
  choice: TunnelChoice,
  localUrl: string,
  deps: ConnectionDeps,
  board: StatusBoard,
  onSupervisor: (supervisor: TunnelSupervisor) => void,
  signal: AbortSignal,
): Promise<string> {
  let provider;
  try {
    provider = deps.tunnelProviderFor(choice);
  } catch (error) {
    // StaticUrlProvider's TypeError names the problem without echoing the URL.
    throw new StepError(`Your public URL cannot be used: ${error instanceof Error ? error.message : 'invalid URL'}`, 'invalid_public_url');
  }
  const open = {
    localAddr: localUrl.replace(/^https?:\/\//i, ''),
    ...(choice.kind === 'ngrok' && choice.authtoken !== null ? { authtoken: choice.authtoken } : {}),
    ...(choice.kind === 'ngrok' && choice.domain !== null ? { domain: choice.domain } : {}),
  };
  const supervisor = new TunnelSupervisor({ provider, open, ...deps.supervisor });
  onSupervisor(supervisor);
  const name = provider.name;
  supervisor.on('status', (status) => board.update({ tunnel: redactedTunnel(tunnelInfo(name, status)) }));
  const stopOnAbort = () => void supervisor.stop();
  signal.addEventListener('abort', stopOnAbort, { once: true });
  try {
    return await supervisor.start();
  } finally {
    signal.removeEventListener('abort', stopOnAbort);
  }
}

function redactedTunnel<T extends { url: string | null }>(info: T): T {
  return info.url === null ? info : { ...info, url: displayUrl(info.url) };
}

