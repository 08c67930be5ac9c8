/**
 * The OpenAPI 3.1 document, generated from the endpoint table's zod schemas (served at
 * /api/openapi.json, drawn by the reference at /api/docs; docs/operations.md § The API reference).
 * Every operation carries its tag, summary, description (who may call it, what it refuses;
 * endpoint-docs.ts), an example of its body and of its 200 answer (examples.ts), and every error it
 * can answer with: its own (endpoint-docs.ts's `errors`) and the general ones (api-errors.ts), by HTTP status, each
 * with the catalogue's English message. The catalogue and the role policy live in server/, which
 * the contract does not import: the server hands them in.
 */
import { z } from 'zod';
import { ApiErrorBody, type ErrorCode } from './errors.ts';
import { ENDPOINTS, type Endpoint, type EndpointName } from './endpoints.ts';
import { ENDPOINT_DOCS, type ApiTag } from './endpoint-docs.ts';
import { ENDPOINT_EXAMPLES } from './examples.ts';
import {
  OPERATION_ERRORS,
  OUTSIDE_ERRORS,
  PUSH_RESULT_ERRORS,
  REQUEST_ERRORS,
  SIGNED_IN_ERRORS,
  UNANSWERED_ERRORS,
  VERSIONED_ERRORS,
} from './api-errors.ts';
import { OperationType } from './sync.ts';

/** What the server knows that the contract does not: each code's status and message, each endpoint's roles. */
export type OpenApiContext = {
  catalogue: Readonly<Record<ErrorCode, { readonly status: number; readonly message: string }>>;
  roles: Readonly<Partial<Record<string, readonly string[]>>>;
};

const TAGS: ReadonlyArray<{ name: ApiTag; description: string }> = [
  { name: 'info', description: 'What any app asks first: the server, its contract version, demo mode.' },
  { name: 'auth', description: 'Operators sign in and out (outlet tablet, management centre).' },
  { name: 'devices', description: 'Kiosks and tablets: registered by an administrator, enrolled once with a one-time code.' },
  { name: 'organisation', description: 'The organisation tree (province, city, county, centre, outlet, station) and its operators.' },
  { name: 'loads', description: 'Online purse transactions at a kiosk or outlet tablet: load 圈存 and unload 圈提, and their recovery.' },
  { name: 'sync', description: "A device's outbox pushed exactly once, and what it needs to work offline pulled." },
  { name: 'cards', description: 'A card and its accounts, as the ledger sees them.' },
  { name: 'customers', description: 'Customers of the network, searched and read (created and changed by push operations).' },
  { name: 'shifts', description: "The outlet operator's shift and cash drawer (opened and closed by push operations)." },
  { name: 'approvals', description: "A supervisor's approval of one large receipt." },
  { name: 'issue', description: 'Issuing a stock card to a customer at the outlet tablet 开户发卡.' },
  {
    name: 'anonymous',
    description:
      'Anonymous cards 不记名卡: initialised in batches at the outlet, sold, topped up with cash and loaded at once, upgraded to a named card.',
  },
  {
    name: 'station-cards',
    description:
      "Station cards 员工卡/维修卡/验泵卡 issued by a management centre to its stations, listed (the white list's source) and withdrawn.",
  },
  { name: 'stock', description: 'Card stock: stock in at the province, requisition down the tree, stock query.' },
  { name: 'centre', description: "The management centre's checks: cards under review, the ledger's invariants." },
];

const DEVICE_ROLES = new Set(['kiosk', 'tablet']);

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
}

/** Every code an endpoint can answer with: its own, then the general ones that apply to it. */
export function errorCodesOf(name: EndpointName, ep: Endpoint): ErrorCode[] {
  const codes = new Set<ErrorCode>(ENDPOINT_DOCS[name].errors);
  if (ep.versioned) for (const code of VERSIONED_ERRORS) codes.add(code);
  if (!ep.public) for (const code of SIGNED_IN_ERRORS) codes.add(code);
  for (const code of REQUEST_ERRORS) codes.add(code);
  return [...codes];
}

function errorResponses(codes: readonly ErrorCode[], context: OpenApiContext): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = context.catalogue[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: list.map((code) => `- \`${code}\`: ${context.catalogue[code].message}`).join('\n'),
      content: {
        'application/json': {
          schema: jsonSchema(ApiErrorBody, 'output'),
          examples: Object.fromEntries(
            list.map((code) => [code, { summary: code, value: { error: { code, message: context.catalogue[code].message } } }]),
          ),
        },
      },
    };
  }
  return responses;
}

function codeList(codes: readonly ErrorCode[]): string {
  return codes.map((code) => `\`${code}\``).join(', ');
}

/** The push's description: what a result's `error.code` can be, by operation type. */
function pushResultTable(): string {
  const rows = OperationType.options.map((type) => `| \`${type}\` | ${codeList(OPERATION_ERRORS[type] ?? [])} |`);
  return [
    'Each operation is applied at most once, by its id; the answer is 200 with one result per operation. A refused',
    'operation is `rejected` with its `error.code`, recorded as its first outcome (a replay answers the same). Any',
    `operation can be refused for ${codeList(PUSH_RESULT_ERRORS)}; besides, by type:`,
    '',
    '| Operation type | Error codes in its result |',
    '| --- | --- |',
    ...rows,
  ].join('\n');
}

function describe(name: EndpointName, ep: Endpoint, context: OpenApiContext): string {
  const doc = ENDPOINT_DOCS[name];
  const roles = context.roles[name];
  const who = ep.public
    ? 'Public: no credentials.'
    : `Who may call: ${(roles ?? []).map((role) => `\`${role}\``).join(', ')} (a device signs its request, an operator sends its session).`;
  const parts = [doc.description, who];
  if (ep.versioned) parts.push('Versioned: the body carries `contractVersion`; another version is refused before anything else.');
  if (name === 'syncPush') parts.push(pushResultTable());
  parts.push(
    `Errors of its own: ${doc.errors.length > 0 ? codeList(doc.errors) : 'none'}; the general ones (the request, the credentials) are listed with the others below.`,
  );
  return parts.filter((part) => part !== undefined).join('\n\n');
}

function securityOf(name: string, ep: Endpoint, context: OpenApiContext): Array<Record<string, string[]>> {
  if (ep.public) return [];
  const roles = context.roles[name] ?? [];
  const schemes: Array<Record<string, string[]>> = [];
  if (roles.some((role) => DEVICE_ROLES.has(role))) schemes.push({ deviceSignature: [] });
  if (roles.some((role) => !DEVICE_ROLES.has(role))) schemes.push({ operatorSession: [] });
  return schemes;
}

export function openApiDocument(version: number, context: OpenApiContext): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, ep] of Object.entries(ENDPOINTS) as Array<[EndpointName, Endpoint]>) {
    const path = ep.path.replace(/:([a-zA-Z]+)/g, '{$1}');
    const pathParams = [...ep.path.matchAll(/:([a-zA-Z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const queryParams = Object.entries(ep.query?.shape ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: !schema.safeParse(undefined).success,
      schema: jsonSchema(schema, 'input'),
    }));
    const params = [...pathParams, ...queryParams];
    const example = ENDPOINT_EXAMPLES[name];
    const codes = errorCodesOf(name, ep);
    paths[path] ??= {};
    paths[path][ep.method.toLowerCase()] = {
      operationId: name,
      tags: [ENDPOINT_DOCS[name].tag],
      summary: ENDPOINT_DOCS[name].summary,
      description: describe(name, ep, context),
      security: securityOf(name, ep, context),
      ...(params.length ? { parameters: params } : {}),
      ...(ep.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: jsonSchema(ep.body, 'input'),
                  ...(example?.body === undefined ? {} : { example: example.body }),
                },
              },
            },
          }
        : {}),
      responses: {
        '200': {
          description: 'OK',
          content: {
            'application/json': {
              schema: jsonSchema(ep.response, 'output'),
              ...(example === undefined ? {} : { example: example.response }),
            },
          },
        },
        ...errorResponses(codes, context),
      },
      'x-error-codes': codes,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fuel card sync server',
      version: String(version),
      description: [
        'The API of the fuel card server: the kiosk, the outlet tablet and the management centre speak it.',
        'Money is integer fen (¥1.00 = 100). Every money operation carries an operation id the device made and happens once by it.',
        `Every error answers \`{ "error": { "code", "message" } }\`: the code is stable, the message English for logs. Errors no operation answers: ${codeList(OUTSIDE_ERRORS)} (an unknown path, the app not built); kept in the catalogue but answered by nothing today: ${codeList(UNANSWERED_ERRORS)}.`,
        `This document is contract version ${version}; a \`versioned\` endpoint refuses another with \`CONTRACT_VERSION_MISMATCH\`.`,
      ].join('\n\n'),
    },
    tags: TAGS,
    components: {
      securitySchemes: {
        deviceSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            "A kiosk or tablet signs every request with its enrolment secret: `Authorization: Device-HMAC-SHA256 <deviceId>:<timestamp ms>:<nonce>:<signature>`, an HMAC-SHA256 over the device id, timestamp, nonce, method, path with query and the body's SHA-256 (docs/sync.md § Who is calling). A timestamp more than 5 minutes off is refused with `DEVICE_CLOCK_SKEW` and the server's time; a nonce is accepted once (`NONCE_REUSED`).",
        },
        operatorSession: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An operator signs in (`POST /api/v1/auth/login`) and sends `Authorization: Bearer <token>`. A session signed in on an enrolled tablet is bound to it; it ends 12 hours after sign-in or after 30 idle minutes.',
        },
      },
    },
    paths,
  };
}
