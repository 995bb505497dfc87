import type { ExecutionStatus } from '../../../shared/execution-model.js';

export function StatusBadge({ status }: { status: ExecutionStatus }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}
