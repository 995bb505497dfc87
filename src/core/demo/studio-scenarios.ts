/**
 * Realistic Studio Flow executions for the demo: what a small contact center's Studio account
 * would emit. Widget names, transition event names (`incomingCall`, `keypress`, `timeout`,
 * `audioComplete`, `incomingMessage`, `success`, `failed`, `fail`, `completed`...) and contacts
 * follow Studio's own widgets. Durations are real-world durations; the script scales them.
 *
 * Pure and deterministic: everything random comes from the Random passed in. The account and the
 * flows come from a fixed seed, so every demo run shows the same few flows, whatever its seed.
 */
import { ExecutionScript, sid, type DemoFlow } from './execution-script.js';
import { createRandom, type Random } from './seeded-random.js';

export type ScenarioName = 'ivr' | 'messaging' | 'failure' | 'whatsapp' | 'short';

export const SCENARIO_NAMES: readonly ScenarioName[] = ['ivr', 'messaging', 'failure', 'whatsapp', 'short'];

/** How often each scenario runs by default (relative weights). */
export const DEFAULT_SCENARIO_WEIGHTS: Readonly<Record<ScenarioName, number>> = {
  ivr: 30,
  messaging: 25,
  failure: 15,
  whatsapp: 15,
  short: 15,
};

const world = createRandom(0x5eed_f10e);
export const DEMO_ACCOUNT_SID = sid(world, 'AC');

const flow = (friendlyName: string, revision: number): DemoFlow => ({ sid: sid(world, 'FW'), friendlyName, revision });
export const DEMO_FLOWS = {
  mainLine: flow('Main Line IVR', 42),
  orderStatus: flow('SMS Order Status', 17),
  paymentLine: flow('Payment Line', 8),
  supportTickets: flow('Support Ticket Bot', 5),
  whatsappConcierge: flow('WhatsApp Concierge', 11),
  autoReply: flow('After-hours Auto-reply', 3),
} as const;

const CLIENT_NAMES = ['alice', 'bob', 'carol', 'dave'] as const;

const usNumber = (random: Random) => `+1415555${String(random.int(0, 9999)).padStart(4, '0')}`;
/** +44 7700 900xxx is Ofcom's range reserved for fiction. */
const ukMobile = (random: Random) => `+447700900${String(random.int(0, 999)).padStart(3, '0')}`;

function voiceContact(random: Random): string {
  const roll = random.next();
  if (roll < 0.7) return usNumber(random);
  if (roll < 0.85) return `client:${random.pick(CLIENT_NAMES)}`;
  return `sip:${random.pick(CLIENT_NAMES)}@example.com`;
}

interface Scenario {
  flow: DemoFlow;
  contact(random: Random): string;
  startedByPrefix: 'CA' | 'SM';
  run(script: ExecutionScript, random: Random): void;
}

/** Run Subflow `run_verify_caller`: its steps nest under the parent step that ran it. */
function verifyCallerSubflow(s: ExecutionScript, random: Random, next: string): void {
  const parentStepSid = s.reserveStepSid();
  const child = { parentStepSid };
  s.waitBetween(20, 80);
  s.step('Trigger', 'incomingParent', 'lookup_caller', child);
  s.waitBetween(150, 900);
  s.step('lookup_caller', 'success', 'split_known_caller', child);
  s.waitBetween(5, 30);
  const known = random.chance(0.7);
  s.step('split_known_caller', known ? 'match' : 'noMatch', known ? 'set_caller_context' : 'Ended', child);
  if (known) {
    s.waitBetween(5, 30);
    s.step('set_caller_context', 'next', 'Ended', child);
  }
  s.waitBetween(10, 50);
  s.step('run_verify_caller', 'completed', next, { stepSid: parentStepSid });
}

/** IVR: greeting, optional caller check, a menu with retries on silence or a wrong key. */
function runMainLine(s: ExecutionScript, random: Random): void {
  s.start();
  s.waitBetween(300, 900);
  s.step('Trigger', 'incomingCall', 'say_welcome');
  s.waitBetween(4_000, 7_000);
  if (random.chance(0.5)) {
    s.step('say_welcome', 'audioComplete', 'run_verify_caller');
    verifyCallerSubflow(s, random, 'gather_main_menu');
  } else {
    s.step('say_welcome', 'audioComplete', 'gather_main_menu');
  }
  for (let attempt = 1; ; attempt++) {
    const lastAttempt = attempt >= 3;
    if (random.chance(0.2)) {
      s.wait(5_000); // the gather widget's timeout
      if (lastAttempt) {
        s.step('gather_main_menu', 'timeout', 'say_goodbye');
        s.waitBetween(2_000, 3_000);
        s.step('say_goodbye', 'audioComplete', 'Ended');
        break;
      }
      s.step('gather_main_menu', 'timeout', 'say_no_input');
      s.waitBetween(2_000, 3_500);
      s.step('say_no_input', 'audioComplete', 'gather_main_menu');
      continue;
    }
    s.waitBetween(1_500, 6_000);
    s.step('gather_main_menu', 'keypress', 'split_key_press');
    s.waitBetween(5, 40);
    const choice = random.weighted({ hours: 35, agent: 45, invalid: lastAttempt ? 0 : 20 });
    if (choice === 'invalid') {
      s.step('split_key_press', 'noMatch', 'say_invalid_choice');
      s.waitBetween(2_000, 3_500);
      s.step('say_invalid_choice', 'audioComplete', 'gather_main_menu');
      continue;
    }
    if (choice === 'hours') {
      s.step('split_key_press', 'match', 'say_hours');
      s.waitBetween(8_000, 15_000);
      s.step('say_hours', 'audioComplete', 'Ended');
    } else {
      s.step('split_key_press', 'match', 'connect_to_agent');
      s.waitBetween(30_000, 240_000);
      s.step('connect_to_agent', random.chance(0.8) ? 'callCompleted' : 'hangup', 'Ended');
    }
    break;
  }
  s.end();
}

/** SMS: ask for an order number and wait for the reply; some customers never answer (yet). */
function runOrderStatus(s: ExecutionScript, random: Random): void {
  s.start();
  s.waitBetween(200, 600);
  s.step('Trigger', 'incomingMessage', 'ask_order_number');
  const outcome = random.weighted({ reply: 55, stillWaiting: 25, timeout: 20 });
  if (outcome === 'stillWaiting') return; // the execution stays active: no step, no ended event
  if (outcome === 'timeout') {
    s.wait(120_000); // the Send & Wait For Reply widget's timeout
    s.step('ask_order_number', 'timeout', 'send_no_reply_notice');
    s.waitBetween(300, 1_200);
    s.step('send_no_reply_notice', 'sent', 'Ended');
  } else {
    s.waitBetween(20_000, 180_000);
    s.step('ask_order_number', 'incomingMessage', 'fetch_order_status');
    s.waitBetween(300, 1_500);
    s.step('fetch_order_status', 'success', 'send_order_status');
    s.waitBetween(300, 1_200);
    s.step('send_order_status', 'sent', 'Ended');
  }
  s.end();
}

/** A Make HTTP Request widget whose backend is down: the execution ends through `failed`. */
function runPaymentLine(s: ExecutionScript, random: Random): void {
  s.start();
  s.waitBetween(300, 900);
  s.step('Trigger', 'incomingCall', 'gather_account_number');
  s.waitBetween(5_000, 9_000);
  s.step('gather_account_number', 'keypress', 'check_balance_api');
  s.wait(random.chance(0.5) ? 5_000 : random.between(150, 900)); // timed out, or a fast 500
  s.step('check_balance_api', 'failed', 'Ended');
  s.end();
}

/** A Run Function widget that throws: the execution ends through `fail`. */
function runSupportTickets(s: ExecutionScript): void {
  s.start();
  s.waitBetween(200, 600);
  s.step('Trigger', 'incomingMessage', 'set_ticket_fields');
  s.waitBetween(5, 30);
  s.step('set_ticket_fields', 'next', 'create_ticket_function');
  s.waitBetween(400, 3_000);
  s.step('create_ticket_function', 'fail', 'Ended');
  s.end();
}

/** WhatsApp: a menu sent with Send & Wait For Reply, a split on the answer, one reply. */
function runWhatsappConcierge(s: ExecutionScript, random: Random): void {
  s.start();
  s.waitBetween(200, 700);
  s.step('Trigger', 'incomingMessage', 'send_menu');
  s.waitBetween(5_000, 60_000);
  s.step('send_menu', 'incomingMessage', 'split_menu_choice');
  s.waitBetween(5, 40);
  const answer = random.pick(['send_opening_hours', 'send_location', 'send_menu_help'] as const);
  s.step('split_menu_choice', answer === 'send_menu_help' ? 'noMatch' : 'match', answer);
  s.waitBetween(300, 1_500);
  s.step(answer, 'sent', 'Ended');
  s.end();
}

/** Over in well under a second: one auto-reply. */
function runAutoReply(s: ExecutionScript): void {
  s.start();
  s.waitBetween(100, 300);
  s.step('Trigger', 'incomingMessage', 'send_auto_reply');
  s.waitBetween(150, 500);
  s.step('send_auto_reply', 'sent', 'Ended');
  s.end();
}

const SCENARIOS: Record<Exclude<ScenarioName, 'failure'> | 'paymentLine' | 'supportTickets', Scenario> = {
  ivr: { flow: DEMO_FLOWS.mainLine, contact: voiceContact, startedByPrefix: 'CA', run: runMainLine },
  messaging: { flow: DEMO_FLOWS.orderStatus, contact: usNumber, startedByPrefix: 'SM', run: runOrderStatus },
  paymentLine: { flow: DEMO_FLOWS.paymentLine, contact: voiceContact, startedByPrefix: 'CA', run: runPaymentLine },
  supportTickets: { flow: DEMO_FLOWS.supportTickets, contact: usNumber, startedByPrefix: 'SM', run: runSupportTickets },
  whatsapp: {
    flow: DEMO_FLOWS.whatsappConcierge,
    contact: (random) => `whatsapp:${ukMobile(random)}`,
    startedByPrefix: 'SM',
    run: runWhatsappConcierge,
  },
  short: { flow: DEMO_FLOWS.autoReply, contact: usNumber, startedByPrefix: 'SM', run: runAutoReply },
};

export interface GeneratedExecution {
  scenario: ScenarioName;
  script: ExecutionScript;
}

/**
 * One execution of the named scenario starting at `startMs`: its events, in emission order
 * (a Run Subflow step comes after its children, as Studio ends it after its subflow).
 */
export function generateExecution(
  random: Random,
  scenario: ScenarioName,
  startMs: number,
  timeScale = 1,
): GeneratedExecution {
  const definition =
    scenario === 'failure' ? SCENARIOS[random.chance(0.5) ? 'paymentLine' : 'supportTickets'] : SCENARIOS[scenario];
  const script = new ExecutionScript(
    random,
    {
      accountSid: DEMO_ACCOUNT_SID,
      flow: definition.flow,
      executionSid: sid(random, 'FN'),
      contact: definition.contact(random),
      startedBy: sid(random, definition.startedByPrefix),
    },
    startMs,
    timeScale,
  );
  definition.run(script, random);
  return { scenario, script };
}
