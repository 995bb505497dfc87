/**
 * The executions the browser tests look at closely, built with the shared Studio fixtures and
 * started a minute ago (newer than the demo traffic around them, so they sit at the top of the
 * newest-first list), all in one flow of their own so that its sidebar counts are known exactly.
 */
import { executionScenario, sid, type Scenario, type WireEvent } from '../shared/studio-fixtures.js';

export const E2E_FLOW = sid('FW', 'e2e-flow');

/** Untrusted text that would run script if it were ever rendered as HTML. */
export const HOSTILE_CONTACT = '<img src=x onerror=alert(1)>';
export const HOSTILE_WIDGET = '<img src=x onerror=alert(2)>';
export const HOSTILE_TRANSITION = '<script>alert(3)</script>';

export interface E2eScenarios {
  /** Voice IVR, ended: five top-level steps, the last (run_survey) ran a two-step subflow. */
  ivr: Scenario;
  ivrTopLevel: string[];
  ivrSubflowStep: string;
  ivrSubflowWidgets: string[];
  /** SMS, active, waiting for a reply. */
  messaging: Scenario;
  /** Active, with a hole in its chain (gather_1 -> split_1) that `lateStep` fills later. */
  late: Scenario;
  lateStep: WireEvent;
  lateWidgetsBefore: string[];
  lateWidgetsAfter: string[];
  /** Ended; its contact, a widget and a transition are HTML/script payloads. */
  hostile: Scenario;
  /** Everything but lateStep, in one array. */
  initialEvents: WireEvent[];
  /** Expected counts of E2E_FLOW once everything (lateStep included) has arrived. */
  flowCounts: { active: number; ended: number; failed: number };
}

export function e2eScenarios(nowMs: number): E2eScenarios {
  const base = nowMs - 60_000;
  const start = (offsetMs: number) => new Date(base + offsetMs).toISOString();
  const ivrSid = sid('FN', 'e2e-ivr');
  const ivrSubflowStep = sid('FT', 'e2e-ivr-subflow');
  const ivr = executionScenario({
    executionSid: ivrSid,
    flowSid: E2E_FLOW,
    contact: '+14155550101',
    start: start(0),
    steps: [
      { from: 'Trigger', to: 'gather_menu', name: 'incomingCall', atMs: 0 },
      { from: 'gather_menu', to: 'split_digits', name: 'keypress', atMs: 6_000 },
      { from: 'split_digits', to: 'say_hours', name: 'match', atMs: 6_200 },
      { from: 'say_hours', to: 'run_survey', name: 'audioComplete', atMs: 12_000 },
      { from: 'Trigger', to: 'gather_rating', name: 'incomingParent', atMs: 12_100, parentSid: ivrSubflowStep },
      { from: 'gather_rating', to: 'Ended', name: 'keypress', atMs: 20_000, parentSid: ivrSubflowStep },
      { sid: ivrSubflowStep, from: 'run_survey', to: 'Ended', name: 'completed', atMs: 21_000 },
    ],
    ended: { atMs: 21_000 },
  });
  const messaging = executionScenario({
    executionSid: sid('FN', 'e2e-messaging'),
    flowSid: E2E_FLOW,
    contact: 'whatsapp:+15005550006',
    start: start(1_000),
    steps: [
      { from: 'Trigger', to: 'send_greeting', name: 'incomingMessage', atMs: 0 },
      { from: 'send_greeting', to: 'ask_order_number', name: 'sent', atMs: 800 },
    ],
  });
  const late = executionScenario({
    executionSid: sid('FN', 'e2e-late'),
    flowSid: E2E_FLOW,
    contact: '+14155550202',
    start: start(2_000),
    steps: [
      { from: 'Trigger', to: 'gather_1', name: 'incomingCall', atMs: 0 },
      { from: 'gather_1', to: 'split_1', name: 'keypress', atMs: 5_000 }, // held back: the late one
      { from: 'split_1', to: 'say_1', name: 'match', atMs: 8_000 },
      { from: 'say_1', to: 'send_reply', name: 'audioComplete', atMs: 12_000 },
    ],
  });
  const lateStep = late.steps[1];
  if (lateStep === undefined) throw new Error('late scenario has no second step');
  const hostile = executionScenario({
    executionSid: sid('FN', 'e2e-hostile'),
    flowSid: E2E_FLOW,
    contact: HOSTILE_CONTACT,
    start: start(3_000),
    steps: [
      { from: 'Trigger', to: HOSTILE_WIDGET, name: 'incomingMessage', atMs: 0 },
      { from: HOSTILE_WIDGET, to: 'Ended', name: HOSTILE_TRANSITION, atMs: 500 },
    ],
    ended: { atMs: 600 },
  });
  const initialEvents = [...ivr.events, ...messaging.events, ...late.events.filter((e) => e !== lateStep), ...hostile.events];
  return {
    ivr,
    ivrTopLevel: ['Trigger', 'gather_menu', 'split_digits', 'say_hours', 'run_survey'],
    ivrSubflowStep,
    ivrSubflowWidgets: ['Trigger', 'gather_rating'],
    messaging,
    late,
    lateStep,
    lateWidgetsBefore: ['Trigger', 'split_1', 'say_1'],
    lateWidgetsAfter: ['Trigger', 'gather_1', 'split_1', 'say_1'],
    hostile,
    initialEvents,
    flowCounts: { active: 2, ended: 2, failed: 0 },
  };
}
