/**
 * The API reference's promises (docs/operations.md § The API reference): every operation of the
 * endpoint table has a tag, a summary, examples that parse with its schemas, and the error codes
 * it can answer with; and those lists hold against the server's source (error-reach.ts): a code a
 * handler can reach is declared by its endpoint or is a general one.
 */
import { execSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  ENDPOINTS,
  ERROR_CODES,
  OperationType,
  openApiDocument,
  type Endpoint,
  type EndpointName,
  type ErrorCode,
} from '../../server/contract/index.ts';
import { ENDPOINT_DOCS } from '../../server/contract/endpoint-docs.ts';
import { ENDPOINT_EXAMPLES } from '../../server/contract/examples.ts';
import {
  OPERATION_ERRORS,
  OUTSIDE_ERRORS,
  PUSH_RESULT_ERRORS,
  REQUEST_ERRORS,
  SIGNED_IN_ERRORS,
  UNANSWERED_ERRORS,
  AWAITING_OPERATION_ERRORS,
  VERSIONED_ERRORS,
} from '../../server/contract/api-errors.ts';
import { API_ERRORS } from '../../server/errors.ts';
import { ROLE_POLICY } from '../../server/auth/policy.ts';
import { handlerSlices, operationSlices, ROOT, textReach } from './error-reach.ts';

const endpoints = Object.entries(ENDPOINTS) as Array<[EndpointName, Endpoint]>;

/** Every registerEndpoint call in server/, by endpoint: its file and its text. */
function registrations(): Map<string, { file: string; text: string }> {
  const files = execSync("grep -rl --include=*.ts 'registerEndpoint(' server", { cwd: ROOT, encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter((file) => !file.endsWith('.test.ts') && file !== 'server/http/route.ts');
  const found = new Map<string, { file: string; text: string }>();
  for (const file of files) for (const [name, text] of handlerSlices(file)) found.set(name, { file, text });
  return found;
}

function general(ep: Endpoint): Set<ErrorCode> {
  return new Set<ErrorCode>([...REQUEST_ERRORS, ...(ep.public ? [] : SIGNED_IN_ERRORS), ...(ep.versioned ? VERSIONED_ERRORS : [])]);
}

describe('the endpoint table, for the reference', () => {
  it('gives every endpoint a tag, a summary and its own error list', () => {
    for (const [name, ep] of endpoints) {
      const doc = ENDPOINT_DOCS[name];
      expect(doc?.tag, name).toBeDefined();
      expect(doc.summary.length, name).toBeGreaterThan(0);
      expect(doc.errors, name).toBeDefined();
      // A general code is not repeated in the endpoint's own list.
      for (const code of doc.errors) expect(general(ep).has(code), `${name} ${code}`).toBe(false);
    }
  });

  it('has an example body and answer for every endpoint, each parsing with its schema', () => {
    for (const [name, ep] of endpoints) {
      const example = ENDPOINT_EXAMPLES[name];
      expect(example, name).toBeDefined();
      const answer = ep.response.safeParse(example!.response);
      expect(answer.error?.issues, `${name} answer`).toBeUndefined();
      if (ep.body) {
        const body = ep.body.safeParse(example!.body);
        expect(body.error?.issues, `${name} body`).toBeUndefined();
      } else expect(example!.body, name).toBeUndefined();
    }
  });

  it('declares every error code a handler can reach in the server source', () => {
    const found = registrations();
    const results = Object.values(OPERATION_ERRORS).flat();
    for (const [name, ep] of endpoints) {
      const registration = found.get(name);
      expect(registration, `${name} is registered`).toBeDefined();
      const allowed = new Set<ErrorCode>([...ENDPOINT_DOCS[name].errors, ...general(ep)]);
      // The push answers each operation's refusal in its result (the table in its description).
      if (name === 'syncPush') for (const code of [...results, ...PUSH_RESULT_ERRORS]) allowed.add(code);
      const undeclared = [...textReach(registration!.file, registration!.text)].filter((code) => !allowed.has(code as ErrorCode));
      expect(undeclared, `${name} (${registration!.file}) can answer codes it does not declare`).toEqual([]);
    }
  });

  it("declares every error code a pushed operation's handler can reach", () => {
    const slices = operationSlices();
    for (const type of OperationType.options) {
      expect(OPERATION_ERRORS[type], type).toBeDefined();
      const text = slices.get(type);
      expect(text, `${type} has a handler`).toBeDefined();
      const allowed = new Set<string>([...(OPERATION_ERRORS[type] ?? []), ...PUSH_RESULT_ERRORS, ...SIGNED_IN_ERRORS, ...REQUEST_ERRORS]);
      const undeclared = [...textReach('server/sync/operations.ts', text!)].filter((code) => !allowed.has(code));
      expect(undeclared, `${type} can be refused for codes it does not declare`).toEqual([]);
    }
  });
});

describe('the OpenAPI document', () => {
  const document = openApiDocument(7, { catalogue: API_ERRORS, roles: ROLE_POLICY });
  const operations = Object.values(document.paths as Record<string, Record<string, Record<string, unknown>>>).flatMap((byMethod) =>
    Object.values(byMethod),
  );

  it('has one operation per endpoint, each with a tag, summary, description, examples and security', () => {
    expect(operations).toHaveLength(endpoints.length);
    const tags = new Set((document.tags as Array<{ name: string }>).map((tag) => tag.name));
    for (const op of operations) {
      const id = String(op.operationId);
      expect(
        (op.tags as string[]).every((tag) => tags.has(tag)),
        id,
      ).toBe(true);
      expect(op.summary, id).toBeTruthy();
      expect(String(op.description).length, id).toBeGreaterThan(20);
      const ok = (op.responses as Record<string, { content: Record<string, { example?: unknown }> }>)['200']!;
      expect(ok.content['application/json']!.example, id).toBeDefined();
      const body = op.requestBody as { content: Record<string, { example?: unknown }> } | undefined;
      if (body) expect(body.content['application/json']!.example, id).toBeDefined();
      expect(Array.isArray(op.security), id).toBe(true);
      if (!(ENDPOINTS[id as keyof typeof ENDPOINTS] as Endpoint).public) expect((op.security as unknown[]).length, id).toBeGreaterThan(0);
    }
  });

  it('lists every error code of an operation under its HTTP status, with the catalogue message', () => {
    for (const op of operations) {
      const responses = op.responses as Record<
        string,
        { description: string; content: Record<string, { examples: Record<string, unknown> }> }
      >;
      const codes = op['x-error-codes'] as ErrorCode[];
      expect(codes.length).toBeGreaterThan(0);
      for (const code of codes) {
        const response = responses[String(API_ERRORS[code].status)];
        expect(response, `${String(op.operationId)} ${code}`).toBeDefined();
        expect(response!.description).toContain(`\`${code}\`: ${API_ERRORS[code].message}`);
        expect(Object.keys(response!.content['application/json']!.examples)).toContain(code);
      }
    }
  });

  it('names every catalogue code somewhere: an operation, a pushed operation, or the answers outside the API', () => {
    const named = new Set<string>([
      ...operations.flatMap((op) => op['x-error-codes'] as string[]),
      ...OUTSIDE_ERRORS,
      ...PUSH_RESULT_ERRORS,
      ...UNANSWERED_ERRORS,
      ...AWAITING_OPERATION_ERRORS,
    ]);
    for (const codes of Object.values(OPERATION_ERRORS)) for (const code of codes) named.add(code);
    expect(ERROR_CODES.filter((code) => !named.has(code))).toEqual([]);
  });

  it('says a code is answered by nothing only when no server source names it', () => {
    const catalogues = new Set(['server/errors.ts', 'server/contract/errors.ts', 'server/contract/api-errors.ts']);
    const pattern = `'(${UNANSWERED_ERRORS.join('|')})'`;
    const named = execSync(`grep -rlE --include=*.ts "${pattern}" server || true`, { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((file) => file !== '' && !file.endsWith('.test.ts') && !catalogues.has(file));
    expect(named).toEqual([]);
  });

  it("writes the push's result codes by operation type in its description", () => {
    const push = operations.find((op) => op.operationId === 'syncPush')!;
    for (const type of OperationType.options) expect(String(push.description)).toContain(`| \`${type}\` |`);
  });
});
