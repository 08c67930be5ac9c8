/**
 * The API reference at /api/docs (api-docs.ts): a page of this origin's scripts and styles only,
 * under the app's strict Content Security Policy, whose files come from the installed
 * swagger-ui-dist with their right content types, drawing an /api/openapi.json in which every
 * operation has its tag, summary, examples and error codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { openTestDatabase, testEngine, type TestDatabase } from '../testing/db.ts';
import { ERROR_CODES } from '../contract/index.ts';
import { API_ERRORS } from '../errors.ts';

describe(`the API reference at /api/docs, on ${testEngine()}`, () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await openTestDatabase();
    app = await buildApp({ db, config: { distDir: '/nonexistent', logLevel: 'silent' }, logger: false });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('answers a page that loads only scripts and styles of this origin, and no inline script', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = response.body;
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((s) => /src="([^"]+)"/.exec(s[1]!)?.[1])).toEqual(['/api/docs/swagger-ui-bundle.js', '/api/docs/init.js']);
    for (const script of scripts) expect(script[2]!.trim()).toBe('');
    const links = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    expect(links.every((href) => href.startsWith('/api/docs/'))).toBe(true);
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=|https?:\/\//);
    // The app's policy, unchanged: scripts and styles of this origin only.
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toContain('unsafe');
  });

  it('serves its scripts, stylesheet and icon with their content types', async () => {
    const files: Array<[string, string]> = [
      ['/api/docs/swagger-ui-bundle.js', 'application/javascript; charset=utf-8'],
      ['/api/docs/init.js', 'application/javascript; charset=utf-8'],
      ['/api/docs/swagger-ui.css', 'text/css; charset=utf-8'],
      ['/api/docs/docs.css', 'text/css; charset=utf-8'],
      ['/api/docs/fonts/noto-sans-sc-4-400-normal.woff2', 'font/woff2'],
      ['/api/docs/favicon-32x32.png', 'image/png'],
    ];
    for (const [url, type] of files) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toBe(type);
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.rawPayload.length, url).toBeGreaterThan(100);
    }
    const init = await app.inject({ method: 'GET', url: '/api/docs/init.js' });
    expect(init.body).toContain("url: '/api/openapi.json'");
    // Read-only: no request is sent from the reference, and no validator outside is called.
    expect(init.body).toContain('supportedSubmitMethods: []');
    expect(init.body).toContain('validatorUrl: null');
    // The font's faces point at this server, woff2 only.
    const css = await app.inject({ method: 'GET', url: '/api/docs/docs.css' });
    const sources = [...css.body.matchAll(/url\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.every((src) => /^\/api\/docs\/fonts\/noto-sans-sc-(\d+|[a-z-]+)-400-normal\.woff2$/.test(src))).toBe(true);
  });

  it('serves no other file of the package: its source maps and its own index stay out', async () => {
    for (const url of [
      '/api/docs/swagger-ui-bundle.js.map',
      '/api/docs/index.html',
      '/api/docs/../package.json',
      '/api/docs/swagger-initializer.js',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json().error.code, url).toBe('NOT_FOUND');
    }
  });

  it('answers the OpenAPI document with a tag, summary, examples and error codes on every operation', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json() as {
      tags: Array<{ name: string }>;
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['deviceSignature', 'operatorSession']);
    const tags = new Set(document.tags.map((tag) => tag.name));
    const named = new Set<string>();
    let count = 0;
    for (const [path, byMethod] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(byMethod)) {
        count++;
        const id = `${method} ${path}`;
        expect((op.tags as string[]).length, id).toBe(1);
        expect(tags.has((op.tags as string[])[0]!), id).toBe(true);
        expect(op.summary, id).toBeTruthy();
        const responses = op.responses as Record<string, { content: Record<string, { example?: unknown }> }>;
        expect(responses['200']!.content['application/json']!.example, id).toBeDefined();
        for (const code of op['x-error-codes'] as Array<keyof typeof API_ERRORS>) {
          named.add(code);
          expect(responses[String(API_ERRORS[code].status)], `${id} ${code}`).toBeDefined();
        }
      }
    }
    expect(count).toBeGreaterThan(30);
    // Most codes belong to an operation; the rest are the push's per-operation results or answers outside the API (api-errors.test.ts).
    expect(named.size).toBeGreaterThan(ERROR_CODES.length / 2);
  });
});
