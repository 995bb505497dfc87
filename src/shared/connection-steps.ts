/**
 * The steps a Connect reports, in the order it runs them. Plain constants with no imports, so the
 * renderer can list them without pulling the contract's schemas (and zod) into its bundle.
 */
export const CONNECT_STEP_ORDER = [
  'credentials',
  'receiver',
  'tunnel',
  'verification',
  'cleanup',
  'sink',
  'subscription',
  'test',
] as const;

export const CONNECTION_STEPS = [
  ...CONNECT_STEP_ORDER,
  /** After a failure: removing what this attempt created. */
  'undo',
  /** While connected: the tunnel URL changed and the sink is being replaced. */
  'repoint',
] as const;
export type ConnectionStepName = (typeof CONNECTION_STEPS)[number];
