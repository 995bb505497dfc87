/**
 * Renderer entry: pick the transport (Electron preload or the headless server's WebSocket), start
 * the app store on it, render. The Content-Security-Policy is not set here: the Electron build
 * injects it as a <meta> tag and the headless server sends it as a header.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppShell } from './components/AppShell.js';
import { createApp } from './store/app.js';
import { AppProvider } from './store/app-context.js';
import { createClient } from './transport/client.js';
import { pickTransport } from './transport/pick-transport.js';
import './styles/theme.css';
import './styles/layout.css';
import './styles/list.css';
import './styles/execution.css';
import './styles/connect.css';
import './styles/storage.css';

const app = createApp({ client: createClient(pickTransport(window)) });
void app.start();

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <AppProvider app={app}>
      <AppShell />
    </AppProvider>
  </StrictMode>,
);
