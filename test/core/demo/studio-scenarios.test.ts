import { describe, expect, it } from 'vitest';
import { parseStudioEvent, type StudioEvent } from '../../../src/shared/studio-event.js';
import type { DemoCloudEvent, StepCloudEvent } from '../../../src/core/demo/execution-script.js';
import { createRandom } from '../../../src/core/demo/seeded-random.js';
import {
  DEMO_ACCOUNT_SID,
  SCENARIO_NAMES,
  generateExecution,
  type ScenarioName,
} from '../../../src/core/demo/studio-scenarios.js';

const START = Date.UTC(2025, 0, 1, 9, 0, 0);

function executionsOf(scenario: ScenarioName, count: number, seed = 42): DemoCloudEvent[][] {
  const random = createRandom(seed);
  return Array.from({ length: count }, (_, i) => generateExecution(random, scenario, START + i * 60_000).script.events);
}

const isStep = (event: DemoCloudEvent): event is StepCloudEvent => event.type === 'com.twilio.studio.flow.step.ended';
const steps = (events: DemoCloudEvent[]) => events.filter(isStep);
const kinds = (events: DemoCloudEvent[]) => events.map((event) => event.type.replace('com.twilio.studio.flow.', ''));

const EXECUTION_FIELDS = [
  'account_sid', 'contact_channel_address', 'date_created', 'date_updated', 'ended_reason', 'execution_sid',
  'flow_revision', 'flow_sid', 'started_by', 'status',
];
const STEP_FIELDS = [
  'account_sid', 'date_created', 'execution_sid', 'flow_revision', 'flow_sid', 'name', 'step_sid',
  'transitioned_from', 'transitioned_to',
];

describe('studio scenarios', () => {
  // one seed per scenario: the same seed would (rightly) repeat the same ids
  const all = SCENARIO_NAMES.flatMap((scenario, i) => executionsOf(scenario, 60, 100 + i).flat());

  it('produce CloudEvents that parse, with every Studio kind present', () => {
    const parsed: StudioEvent[] = all.map((event) => {
      const result = parseStudioEvent(event);
      if (!result.ok) throw new Error(result.reason);
      return result.event;
    });
    expect(new Set(parsed.map((event) => event.kind))).toEqual(
      new Set(['execution.started', 'step.ended', 'execution.ended']),
    );
    for (const event of parsed) expect(event.time).toBe(event.raw.time);
  });

  it('carry the CloudEvents envelope and exactly Twilio’s data fields', () => {
    for (const event of all) {
      expect(event.specversion).toBe('1.0');
      expect(event.id).toMatch(/^EV[0-9a-f]{32}$/);
      expect(event.datacontenttype).toBe('application/json');
      expect(new Date(event.time).toISOString()).toBe(event.time);
      if (isStep(event)) {
        expect(event.dataschema).toBe('https://events-schemas.twilio.com/Studio.FlowStepEvent/1');
        const expected = event.data.parent_step_sid === undefined ? STEP_FIELDS : [...STEP_FIELDS, 'parent_step_sid'];
        expect(Object.keys(event.data).sort()).toEqual(expected.sort());
        expect(event.data.step_sid).toMatch(/^FT[0-9a-f]{32}$/);
        expect(event.source).toBe(
          `/v2/Flows/${event.data.flow_sid}/Executions/${event.data.execution_sid}/Steps/${event.data.step_sid}`,
        );
      } else {
        expect(event.dataschema).toBe('https://events-schemas.twilio.com/Studio.FlowExecutionEvent/1');
        expect(Object.keys(event.data).sort()).toEqual(EXECUTION_FIELDS);
        expect(event.data.started_by).toMatch(/^(CA|SM)[0-9a-f]{32}$/);
        expect(event.source).toBe(`/v2/Flows/${event.data.flow_sid}/Executions/${event.data.execution_sid}`);
      }
      expect(event.data.account_sid).toBe(DEMO_ACCOUNT_SID);
      expect(event.data.account_sid).toMatch(/^AC[0-9a-f]{32}$/);
      expect(event.data.flow_sid).toMatch(/^FW[0-9a-f]{32}$/);
      expect(event.data.execution_sid).toMatch(/^FN[0-9a-f]{32}$/);
    }
  });

  it('give every event and every step a unique id', () => {
    expect(new Set(all.map((event) => event.id)).size).toBe(all.length);
    const stepSids = all.filter(isStep).map((event) => event.data.step_sid);
    expect(new Set(stepSids).size).toBe(stepSids.length);
  });

  it('keep each execution coherent: started first, strictly increasing times, ended last', () => {
    for (const scenario of SCENARIO_NAMES) {
      for (const events of executionsOf(scenario, 40)) {
        const times = [...events].map((event) => Date.parse(event.time)).sort((a, b) => a - b);
        expect(new Set(times).size).toBe(times.length);
        const byTime = [...events].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
        expect(byTime[0]?.type).toBe('com.twilio.studio.flow.execution.started');
        const ended = events.filter((event) => event.type === 'com.twilio.studio.flow.execution.ended');
        expect(ended.length).toBeLessThanOrEqual(1);
        if (ended[0]) {
          expect(byTime.at(-1)).toBe(ended[0]);
          expect(ended[0].data).toMatchObject({ status: 'ended', ended_reason: 'FLOW_END' });
        }
        expect(new Set(events.map((event) => event.data.execution_sid)).size).toBe(1);
      }
    }
  });

  it('chain top-level steps from Trigger: each leaves the widget the previous one went to', () => {
    for (const scenario of SCENARIO_NAMES) {
      for (const events of executionsOf(scenario, 40)) {
        const topLevel = steps(events)
          .filter((step) => step.data.parent_step_sid === undefined)
          .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
        expect(topLevel[0]?.data.transitioned_from).toBe('Trigger');
        for (let i = 1; i < topLevel.length; i++) {
          expect(topLevel[i]?.data.transitioned_from).toBe(topLevel[i - 1]?.data.transitioned_to);
        }
        const ended = events.some((event) => event.type.endsWith('execution.ended'));
        if (ended) expect(topLevel.at(-1)?.data.transitioned_to).toBe('Ended');
      }
    }
  });

  it('IVR: menu key presses, gather timeouts with retries, and subflow steps under an existing parent step', () => {
    const executions = executionsOf('ivr', 80);
    const names = new Set(executions.flatMap((events) => steps(events).map((step) => step.data.name)));
    for (const name of ['incomingCall', 'keypress', 'timeout', 'match', 'noMatch', 'audioComplete', 'completed']) {
      expect(names).toContain(name);
    }
    const retried = executions.filter(
      (events) => steps(events).filter((step) => step.data.transitioned_to === 'gather_main_menu').length > 1,
    );
    expect(retried.length).toBeGreaterThan(0);
    const withSubflow = executions.filter((events) => steps(events).some((step) => step.data.parent_step_sid));
    expect(withSubflow.length).toBeGreaterThan(0);
    for (const events of withSubflow) {
      const bySid = new Map(steps(events).map((step) => [step.data.step_sid, step]));
      for (const child of steps(events).filter((step) => step.data.parent_step_sid !== undefined)) {
        const parent = bySid.get(child.data.parent_step_sid ?? '');
        expect(parent?.data.transitioned_from).toBe('run_verify_caller');
        expect(parent?.data.parent_step_sid).toBeUndefined();
        expect(Date.parse(child.time)).toBeLessThan(Date.parse(parent?.time ?? ''));
      }
    }
    expect(executions.every((events) => kinds(events).at(-1) === 'execution.ended')).toBe(true);
  });

  it('messaging: waits for a reply, and some executions are left active with no ended event', () => {
    const executions = executionsOf('messaging', 60);
    const active = executions.filter((events) => !kinds(events).includes('execution.ended'));
    expect(active.length).toBeGreaterThan(0);
    for (const events of active) expect(steps(events).at(-1)?.data.transitioned_to).toBe('ask_order_number');
    const replied = executions.filter((events) =>
      steps(events).some((step) => step.data.transitioned_from === 'ask_order_number' && step.data.name === 'incomingMessage'),
    );
    expect(replied.length).toBeGreaterThan(0);
    for (const events of replied) {
      const [trigger, reply] = steps(events);
      // the customer took minutes to answer
      expect(Date.parse(reply?.time ?? '') - Date.parse(trigger?.time ?? '')).toBeGreaterThanOrEqual(20_000);
    }
  });

  it('failure: an HTTP request or function widget fails and the execution ends with it', () => {
    const executions = executionsOf('failure', 40);
    const lastNames = new Set<string>();
    for (const events of executions) {
      const last = steps(events).at(-1);
      expect(last?.data.transitioned_to).toBe('Ended');
      expect(['failed', 'fail']).toContain(last?.data.name);
      lastNames.add(last?.data.name ?? '');
      expect(kinds(events).at(-1)).toBe('execution.ended');
    }
    expect(lastNames).toEqual(new Set(['failed', 'fail']));
  });

  it('uses realistic contacts per channel', () => {
    const contacts = (scenario: ScenarioName) =>
      executionsOf(scenario, 60).map((events) => (events[0]?.data as { contact_channel_address: string }).contact_channel_address);
    for (const contact of contacts('whatsapp')) expect(contact).toMatch(/^whatsapp:\+447700900\d{3}$/);
    for (const contact of contacts('messaging')) expect(contact).toMatch(/^\+1415555\d{4}$/);
    const voice = contacts('ivr');
    expect(voice.some((contact) => /^\+1415555\d{4}$/.test(contact))).toBe(true);
    expect(voice.some((contact) => /^client:[a-z]+$/.test(contact))).toBe(true);
    expect(voice.some((contact) => /^sip:[a-z]+@example\.com$/.test(contact))).toBe(true);
  });

  it('short: over in well under a second', () => {
    for (const events of executionsOf('short', 20)) {
      expect(kinds(events)).toEqual(['execution.started', 'step.ended', 'step.ended', 'execution.ended']);
      expect(Date.parse(events.at(-1)?.time ?? '') - Date.parse(events[0]?.time ?? '')).toBeLessThan(1_000);
    }
  });

  it('is deterministic for a seed', () => {
    expect(executionsOf('ivr', 5, 7)).toEqual(executionsOf('ivr', 5, 7));
    expect(executionsOf('ivr', 5, 7)).not.toEqual(executionsOf('ivr', 5, 8));
  });
});
