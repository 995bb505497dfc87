/**
 * The CloudEvent types Flowscope knows by name. Plain constants with no imports, so that the
 * renderer can use them without pulling the parsing code (and zod) into its bundle.
 */
export const STUDIO_EXECUTION_STARTED = 'com.twilio.studio.flow.execution.started';
export const STUDIO_STEP_ENDED = 'com.twilio.studio.flow.step.ended';
export const STUDIO_EXECUTION_ENDED = 'com.twilio.studio.flow.execution.ended';
export const SINK_TEST_EVENT = 'com.twilio.eventstreams.test-event';

/** The Studio event types a Flowscope subscription asks for. */
export const STUDIO_EVENT_TYPES = [STUDIO_EXECUTION_STARTED, STUDIO_STEP_ENDED, STUDIO_EXECUTION_ENDED] as const;
