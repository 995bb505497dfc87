import { ConnectPanel } from './ConnectPanel.js';
import { ExecutionList } from './ExecutionList.js';
import { ExecutionView } from './ExecutionView.js';
import { FilterBar } from './FilterBar.js';
import { FlowSidebar } from './FlowSidebar.js';
import { ProblemsPanel } from './ProblemsPanel.js';
import { StatusBar } from './StatusBar.js';
import { StoragePanel } from './StoragePanel.js';
import { Toast } from './Toast.js';
import { Toolbar } from './Toolbar.js';

/** The whole window: toolbar, filters, flows | executions | execution view, status bar. */
export function AppShell() {
  return (
    <div className="app">
      <Toolbar />
      <FilterBar />
      <main className="main">
        <FlowSidebar />
        <ExecutionList />
        <section className="pane detail-pane" aria-label="Execution">
          <ExecutionView />
        </section>
      </main>
      <StatusBar />
      <ProblemsPanel />
      <ConnectPanel />
      <StoragePanel />
      <Toast />
    </div>
  );
}
