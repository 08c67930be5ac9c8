/**
 * The API reference at /api/docs (docs/operations.md § The API reference): Swagger UI, a kept
 * renderer, drawing /api/openapi.json. Its files come from the installed swagger-ui-dist package
 * (node_modules is part of every installation; no CDN, stations have no internet), served from this
 * origin under the app's own Content Security Policy (headers.ts): the page has no inline script,
 * its initialiser is a file of ours (/api/docs/init.js), its styles are a stylesheet.
 *
 * Chinese (the summaries name 圈存, the examples 广州) is drawn with the installed Noto Sans SC
 * (@fontsource/noto-sans-sc, the app's own web font), as a station PC may have no CJK font.
 *
 * The page is read-only: "Try it out" is switched off (a reference is not a console that sends
 * money operations from a browser), and no validator badge calls out to swagger.io.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';

export const API_DOCS_PATH = '/api/docs';

/** An installed package's folder, found by Node's resolution from this module (or the compiled dist-server/main.mjs). */
function packageDir(name: string): string {
  return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
}

/** The font's files this page serves: the regular weight's unicode-range slices, woff2 only. */
const FONT_FILE = /^noto-sans-sc-(?:[0-9]{1,3}|[a-z]{1,12}(?:-ext)?)-400-normal\.woff2$/;

/**
 * Our stylesheet: the font's faces pointing at this server, and Swagger UI's text set in the
 * system's sans-serif (or monospace for code) with Noto Sans SC for what those fonts lack.
 */
function docsStylesheet(fontDir: string): string {
  const faces = readFileSync(join(fontDir, '400.css'), 'utf8').replace(
    /url\(\.\/files\/([^)]+\.woff2)\) format\('woff2'\), url\([^)]+\) format\('woff'\)/g,
    `url(${API_DOCS_PATH}/fonts/$1) format('woff2')`,
  );
  const code = [
    'code',
    'pre',
    '.microlight',
    '.opblock-summary-path',
    '.opblock-summary-operation-id',
    '.parameter__name',
    '.prop-type',
    '.model',
  ];
  const codeSelector = code.flatMap((c) => [`#swagger-ui ${c}`, `#swagger-ui ${c} *`]).join(', ');
  return `/* The API reference's own styles (server/http/api-docs.ts). */
${faces}
#swagger-ui * { font-family: sans-serif, 'Noto Sans SC'; }
${codeSelector} { font-family: monospace, 'Noto Sans SC'; }
`;
}

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Fuel card API reference</title>
    <link rel="stylesheet" href="${API_DOCS_PATH}/swagger-ui.css">
    <link rel="stylesheet" href="${API_DOCS_PATH}/docs.css">
    <link rel="icon" type="image/png" href="${API_DOCS_PATH}/favicon-32x32.png">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${API_DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${API_DOCS_PATH}/init.js"></script>
  </body>
</html>
`;

/** Swagger UI's settings, in a script file of ours so that the page needs no inline script. */
const INIT = `// The API reference's initialiser (server/http/api-docs.ts).
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    layout: 'BaseLayout',
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    displayOperationId: true,
    filter: true,
    tryItOutEnabled: false,
    supportedSubmitMethods: [],
    validatorUrl: null,
  });
});
`;

/** The files of swagger-ui-dist the page loads, with their content types. */
const PACKAGE_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

export function registerApiDocs(app: FastifyInstance): void {
  const dir = packageDir('swagger-ui-dist');
  const fontDir = packageDir('@fontsource/noto-sans-sc');
  // Read once, on first use: the bundle is about 1.5 MB, and most server processes never serve it.
  const cache = new Map<string, Buffer>();
  const fileOf = (name: string): Buffer => {
    let content = cache.get(name);
    if (content === undefined) {
      content = readFileSync(join(dir, name));
      cache.set(name, content);
    }
    return content;
  };
  app.get(API_DOCS_PATH, async (_request, reply) => reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache').send(PAGE));
  app.get(`${API_DOCS_PATH}/init.js`, async (_request, reply) =>
    reply.type('application/javascript; charset=utf-8').header('Cache-Control', 'no-cache').send(INIT),
  );
  let stylesheet: string | undefined;
  app.get(`${API_DOCS_PATH}/docs.css`, async (_request, reply) => {
    stylesheet ??= docsStylesheet(fontDir);
    return reply.type('text/css; charset=utf-8').header('Cache-Control', 'no-cache').send(stylesheet);
  });
  app.get<{ Params: { file: string } }>(`${API_DOCS_PATH}/fonts/:file`, async (request, reply) => {
    // Only the font's own file names: nothing else of the folder, no path.
    const path = join(fontDir, 'files', request.params.file);
    if (!FONT_FILE.test(request.params.file) || !existsSync(path)) throw new ApiError('NOT_FOUND');
    const content = readFileSync(path);
    return reply.type('font/woff2').header('Cache-Control', 'public, max-age=604800').send(content);
  });
  for (const [name, type] of Object.entries(PACKAGE_FILES)) {
    // Revalidated, not immutable: the names carry no hash, and an upgrade of the package changes them.
    app.get(`${API_DOCS_PATH}/${name}`, async (_request, reply) => reply.type(type).header('Cache-Control', 'no-cache').send(fileOf(name)));
  }
}
