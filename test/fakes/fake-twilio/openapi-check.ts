/**
 * Checks the fake Twilio against Twilio's own OpenAPI spec (../shared/twilio-oai/): the request
 * parameters a call carried (names, required ones, types, enums, patterns) and the response it
 * got (status code listed by the spec, body matching the response schema, property names and
 * all). A small interpreter for the subset of OpenAPI 3 these specs use; not a general validator.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export interface Schema {
  $ref?: string;
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

export interface OpenApiSpec {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Schema> };
}

const specShape = z.looseObject({
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.looseObject({ schemas: z.record(z.string(), z.looseObject({})) }),
});

const specDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/twilio-oai');

export function loadSpec(file = 'twilio_events_v1.json'): OpenApiSpec {
  return specShape.parse(JSON.parse(fs.readFileSync(path.join(specDir, file), 'utf8'))) as OpenApiSpec;
}

const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

/** The operation with this operationId, with its path template and method. */
export function findOperation(spec: OpenApiSpec, operationId: string): { path: string; method: string; operation: Operation } | null {
  for (const [specPath, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Operation | undefined;
      if (operation?.operationId === operationId) return { path: specPath, method, operation };
    }
  }
  return null;
}

function resolve(spec: OpenApiSpec, schema: Schema): Schema {
  if (schema.$ref === undefined) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = spec.components.schemas[name];
  if (target === undefined) throw new Error(`unresolved $ref ${schema.$ref}`);
  return resolve(spec, target);
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function isUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** Problems of `value` against `schema` (empty = conforms). Extra object properties are problems. */
export function checkValue(spec: OpenApiSpec, schemaOrRef: Schema, value: unknown, at = '$'): string[] {
  const schema = resolve(spec, schemaOrRef);
  if (value === null) return schema.nullable === true || schema.type === undefined ? [] : [`${at}: null but not nullable`];
  const problems: string[] = [];
  const type = schema.type ?? (schema.properties ? 'object' : undefined);
  if (type === 'string' && typeof value !== 'string') return [`${at}: expected a string`];
  if (type === 'integer' && !Number.isInteger(value)) return [`${at}: expected an integer`];
  if (type === 'boolean' && typeof value !== 'boolean') return [`${at}: expected a boolean`];
  if (type === 'array' && !Array.isArray(value)) return [`${at}: expected an array`];
  if (type === 'object' && (typeof value !== 'object' || Array.isArray(value))) return [`${at}: expected an object`];
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) problems.push(`${at}: does not match ${schema.pattern}`);
    if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${at}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) problems.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.format === 'date-time' && !DATE_TIME.test(value)) problems.push(`${at}: not an ISO 8601 date-time`);
    if (schema.format === 'uri' && !isUrl(value)) problems.push(`${at}: not a URI`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${at}: above ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => problems.push(...checkValue(spec, schema.items as Schema, item, `${at}[${i}]`)));
  if (type === 'object' && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (schema.format === 'uri-map') {
      for (const [key, url] of Object.entries(record)) if (typeof url !== 'string' || !isUrl(url)) problems.push(`${at}.${key}: not a URI`);
    }
    if (schema.properties) {
      for (const [key, item] of Object.entries(record)) {
        const property = schema.properties[key];
        if (property === undefined) problems.push(`${at}.${key}: not in the spec`);
        else problems.push(...checkValue(spec, property, item, `${at}.${key}`));
      }
    }
    for (const name of schema.required ?? []) if (!(name in record)) problems.push(`${at}.${name}: required but missing`);
  }
  return problems;
}

/** A form or query value (always a string on the wire) against its declared schema. */
function checkParamValue(spec: OpenApiSpec, schemaOrRef: Schema, raw: string, at: string): string[] {
  const schema = resolve(spec, schemaOrRef);
  if (schema.type === 'integer') return /^-?\d+$/.test(raw) ? checkValue(spec, schema, Number(raw), at) : [`${at}: expected an integer`];
  if (schema.type === 'boolean') return raw === 'true' || raw === 'false' ? [] : [`${at}: expected true or false`];
  if (schema.type === 'array') return schema.items ? checkParamValue(spec, schema.items, raw, at) : [];
  if (schema.type === undefined) return [];
  return checkValue(spec, schema, raw, at);
}

/** Problems of a request's query and form parameters against the operation. */
export function checkRequest(spec: OpenApiSpec, operation: Operation, query: Record<string, string[]>, form: Record<string, string[]>): string[] {
  const problems: string[] = [];
  const queryParams = new Map((operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p]));
  for (const [name, values] of Object.entries(query)) {
    const parameter = queryParams.get(name);
    if (parameter === undefined) problems.push(`query ${name}: not in the spec`);
    else for (const value of values) problems.push(...checkParamValue(spec, parameter.schema ?? {}, value, `query ${name}`));
  }
  const bodySchema = operation.requestBody?.content['application/x-www-form-urlencoded']?.schema;
  if (bodySchema === undefined) {
    if (Object.keys(form).length > 0) problems.push('form: the operation takes no body');
    return problems;
  }
  const properties = bodySchema.properties ?? {};
  for (const [name, values] of Object.entries(form)) {
    const property = properties[name];
    if (property === undefined) {
      problems.push(`form ${name}: not in the spec`);
      continue;
    }
    if (values.length > 1 && resolve(spec, property).type !== 'array') problems.push(`form ${name}: repeated but not an array`);
    for (const value of values) problems.push(...checkParamValue(spec, property, value, `form ${name}`));
  }
  for (const name of bodySchema.required ?? []) if (!(name in form)) problems.push(`form ${name}: required but missing`);
  return problems;
}

/** Problems of a response (status and body) against the operation; errors must be Twilio error bodies. */
export function checkResponse(spec: OpenApiSpec, operation: Operation, status: number, body: unknown): string[] {
  if (status >= 400) {
    const error = z.strictObject({ code: z.number().int(), message: z.string().min(1), more_info: z.url(), status: z.literal(status) });
    const parsed = error.safeParse(body);
    return parsed.success ? [] : [`error body: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`];
  }
  const response = operation.responses[String(status)];
  if (response === undefined) return [`status ${status}: not a response of ${operation.operationId}`];
  const schema = response.content?.['application/json']?.schema;
  if (schema === undefined) return body === undefined ? [] : [`status ${status}: the spec declares no body`];
  return checkValue(spec, schema, body);
}
