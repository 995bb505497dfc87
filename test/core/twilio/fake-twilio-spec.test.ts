// The fake Twilio against Twilio's own OpenAPI spec (../shared/twilio-oai/twilio_events_v1.json):
// routes, request parameters, status codes, response bodies and error bodies.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTwilioClient, type TwilioClient } from '../../../src/core/twilio/twilio-client.js';
import { FAKE_OPERATIONS, FAKE_ROUTES, createFakeTwilio, type FakeTwilio } from '../../fakes/fake-twilio/fake-twilio.js';
import { checkRequest, checkResponse, checkValue, findOperation, loadSpec } from '../../fakes/fake-twilio/openapi-check.js';

const spec = loadSpec();
const operationIdOf = (operation: string) => operation[0]!.toUpperCase() + operation.slice(1);

let fake: FakeTwilio;
let client: TwilioClient;
beforeEach(async () => {
  fake = await createFakeTwilio();
  client = createTwilioClient({ accountSid: fake.account.sid, authToken: fake.account.authToken }, { apiBaseUrl: fake.baseUrl });
});
afterEach(async () => {
  await fake.close();
});

function raw(method: string, path: string, form?: Record<string, string>, auth = `${fake.account.sid}:${fake.account.authToken}`) {
  return fetch(fake.baseUrl + path, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(auth).toString('base64')}`,
      ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
}

describe('the fake Twilio follows the events v1 spec', () => {
  it('serves each spec operation at the spec path and method', () => {
    for (const route of FAKE_ROUTES) {
      if (route.specPath === null) continue;
      const found = findOperation(spec, operationIdOf(route.operation));
      expect(found, route.operation).not.toBeNull();
      expect([found?.path, found?.method]).toEqual([route.specPath, route.method.toLowerCase()]);
    }
  });

  it('takes the spec parameters and answers spec-shaped bodies and status codes, through the real client', async () => {
    const events = client.events.v1;
    const sink = await events.sinks.create({
      description: 'flowscope:spec host',
      sinkType: 'webhook',
      sinkConfiguration: { destination: 'https://abc.example.test/events', method: 'POST', batch_events: true },
    });
    await events.sinks.create({ description: 'second', sinkType: 'webhook', sinkConfiguration: { destination: 'https://x.example.test/', method: 'POST' } });
    await events.sinks.list({ pageSize: 1 });
    await events.sinks.list({ inUse: false, status: 'initialized' });
    await events.sinks(sink.sid).fetch();
    await events.sinks(sink.sid).update({ description: 'renamed' });
    await events.sinks(sink.sid).sinkTest.create();
    const subscription = await events.subscriptions.create({
      sinkSid: sink.sid,
      description: 'flowscope:spec host',
      types: [{ type: 'com.twilio.studio.flow.execution.started', schema_version: 1 }, { type: 'com.twilio.studio.flow.step.ended' }],
    });
    await events.subscriptions.list({ sinkSid: sink.sid, pageSize: 1 });
    await events.subscriptions(subscription.sid).fetch();
    await events.subscriptions(subscription.sid).update({ description: 'renamed' });
    await events.subscriptions(subscription.sid).subscribedEvents.list({ pageSize: 1 });
    await client.api.v2010.accounts(fake.account.sid).fetch();
    // Errors: unknown resource, bad parameter, sink in use.
    await events.sinks(`DG${'0'.repeat(32)}`).fetch().catch(() => undefined);
    await events.subscriptions.create({ sinkSid: sink.sid, description: 'x', types: [{ schema_version: 1 }] }).catch(() => undefined);
    await events.sinks(sink.sid).remove().catch(() => undefined);
    await events.subscriptions(subscription.sid).remove();
    await events.sinks(sink.sid).remove();
    await fake.settled();

    const problems: string[] = [];
    for (const request of fake.requests) {
      const label = `${request.method} ${request.path} -> ${request.status}`;
      if (request.operation === 'fetchAccount') continue; // not an events v1 operation: see below
      const found = request.operation === null ? null : findOperation(spec, operationIdOf(request.operation));
      if (found === null) {
        problems.push(`${label}: no spec operation`);
        continue;
      }
      for (const problem of checkRequest(spec, found.operation, request.query, request.form)) problems.push(`${label} request ${problem}`);
      for (const problem of checkResponse(spec, found.operation, request.status, request.body)) problems.push(`${label} response ${problem}`);
    }
    expect(problems).toEqual([]);
    const covered = new Set(fake.requests.map((r) => r.operation));
    expect(FAKE_OPERATIONS.filter((operation) => !covered.has(operation))).toEqual([]);
    expect(new Set(fake.requests.filter((r) => r.status >= 400).map((r) => r.status))).toEqual(new Set([400, 404]));
  });

  it('refuses a POST that lacks a parameter the spec requires, naming it', async () => {
    const sink = await client.events.v1.sinks.create({ description: 'd', sinkType: 'webhook', sinkConfiguration: { destination: 'https://a.test/', method: 'POST' } });
    const complete: Record<string, Record<string, string>> = {
      CreateSink: { Description: 'd', SinkConfiguration: '{"destination":"https://a.test/","method":"POST"}', SinkType: 'webhook' },
      UpdateSink: { Description: 'd' },
      CreateSubscription: { Description: 'd', SinkSid: sink.sid, Types: '{"type":"com.twilio.studio.flow.step.ended"}' },
    };
    for (const [operationId, form] of Object.entries(complete)) {
      const found = findOperation(spec, operationId)!;
      const required = found.operation.requestBody?.content['application/x-www-form-urlencoded']?.schema.required ?? [];
      expect(required.sort()).toEqual(Object.keys(form).sort());
      for (const name of required) {
        const partial = Object.fromEntries(Object.entries(form).filter(([key]) => key !== name));
        const response = await raw('POST', found.path.replace('{Sid}', sink.sid), partial);
        const body: unknown = await response.json();
        expect(response.status, `${operationId} without ${name}`).toBe(400);
        expect(body).toEqual({ code: 20001, message: `Missing required parameter ${name} in the post body`, more_info: 'https://www.twilio.com/docs/errors/20001', status: 400 });
      }
    }
  });

  it('answers bad credentials and unknown paths with Twilio error bodies', async () => {
    const unauthorized = await raw('GET', '/v1/Sinks', undefined, `${fake.account.sid}:${'f'.repeat(32)}`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('www-authenticate')).toBe('Basic realm="Twilio API"');
    expect(await unauthorized.json()).toEqual({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    const missing = await raw('GET', '/v1/Sinks/not-a-sid');
    expect(await missing.json()).toEqual({
      code: 20404,
      message: 'The requested resource /v1/Sinks/not-a-sid was not found',
      more_info: 'https://www.twilio.com/docs/errors/20404',
      status: 404,
    });
  });

  it('answers the account fetch with the 2010-04-01 Account shape', async () => {
    const response = await raw('GET', `/2010-04-01/Accounts/${fake.account.sid}.json`);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      ['auth_token', 'date_created', 'date_updated', 'friendly_name', 'owner_account_sid', 'sid', 'status', 'subresource_uris', 'type', 'uri'].sort(),
    );
    expect(body.date_created).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(body.uri).toBe(`/2010-04-01/Accounts/${fake.account.sid}.json`);
  });

  it('has a checker that does catch deviations', () => {
    const sinkSchema = { $ref: '#/components/schemas/events.v1.sink' };
    expect(checkValue(spec, sinkSchema, { sid: 'XX1', status: 'bogus', extra: 1, date_created: '30 Jul 2015' })).toEqual([
      '$.sid: does not match ^DG[0-9a-fA-F]{32}$',
      '$.sid: shorter than 34',
      '$.status: "bogus" not in ["initialized","validating","active","failed"]',
      '$.extra: not in the spec',
      '$.date_created: not an ISO 8601 date-time',
    ]);
    const create = findOperation(spec, 'CreateSink')!.operation;
    expect(checkRequest(spec, create, {}, { Description: ['d'], SinkType: ['nope'], Extra: ['1'] })).toEqual([
      'form SinkType: "nope" not in ["kinesis","webhook","segment","email"]',
      'form Extra: not in the spec',
      'form SinkConfiguration: required but missing',
    ]);
    expect(checkResponse(spec, create, 200, {})).toEqual(['status 200: not a response of CreateSink']);
  });
});
