/** The OpenAPI 3.1 document, generated from the endpoint table's zod schemas (served at /api/openapi.json). */
import { z } from 'zod';
import { ApiErrorBody } from './errors.ts';
import { ENDPOINTS, type Endpoint } from './endpoints.ts';

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
}

export function openApiDocument(version: number): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, ep] of Object.entries(ENDPOINTS) as Array<[string, Endpoint]>) {
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
    paths[path] ??= {};
    paths[path][ep.method.toLowerCase()] = {
      operationId: name,
      summary: ep.summary,
      ...(ep.public ? { security: [] } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(ep.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(ep.body, 'input') } } } } : {}),
      responses: {
        '200': { description: 'OK', content: { 'application/json': { schema: jsonSchema(ep.response, 'output') } } },
        default: { description: 'Error', content: { 'application/json': { schema: jsonSchema(ApiErrorBody, 'output') } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Fuel card sync server', version: String(version) },
    components: {
      securitySchemes: {
        device: { type: 'http', scheme: 'Device', description: 'Authorization: Device <deviceId>:<secret>' },
        operator: { type: 'http', scheme: 'bearer' },
      },
    },
    security: [{ device: [] }, { operator: [] }],
    paths,
  };
}
