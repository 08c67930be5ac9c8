/**
 * Which error codes a piece of the server's source can answer with, found by reading the source
 * (tests/unit/api-errors.test.ts holds the endpoint table's declared errors against it). A static
 * over-approximation, file by file:
 *   - a code is any quoted catalogue code ('CARD_LOST') in the text (thrown, mapped or returned);
 *   - a handler's text reaches every top-level function, constant or class it names, of its own
 *     file or imported (value imports within server/), and so on from their text; a name a file
 *     does not declare itself (a re-export) reaches the whole of that file.
 * Calls through an object handed in (services.keyStore) are not followed: the endpoint declares
 * what they can answer by hand.
 * Left out: the catalogue and the contract's list of codes (they name every code), and the route
 * helper server/http/route.ts, whose checks (version, credentials, role, shape) are the general
 * errors every endpoint lists (server/contract/api-errors.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ERROR_CODES } from '../../server/contract/errors.ts';

export const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const CODES = new Set<string>(ERROR_CODES);
const NOT_WALKED = new Set(['server/errors.ts', 'server/contract/errors.ts', 'server/http/route.ts']);

const sources = new Map<string, string>();
export function source(file: string): string {
  let text = sources.get(file);
  if (text === undefined) {
    text = readFileSync(join(ROOT, file), 'utf8');
    sources.set(file, text);
  }
  return text;
}

function codesIn(text: string): Set<string> {
  const found = new Set<string>();
  for (const match of text.matchAll(/'([A-Z][A-Z0-9_]+)'/g)) if (CODES.has(match[1]!)) found.add(match[1]!);
  return found;
}

/** A file's value imports within server/: local name → the file (repository-relative) and its exported name. */
function importsOf(file: string): Map<string, { file: string; name: string }> {
  const imports = new Map<string, { file: string; name: string }>();
  for (const match of source(file).matchAll(/^import (?!type )([^;]*?) from '(\.[^']+)';/gms)) {
    const target = relative(ROOT, resolve(ROOT, dirname(file), match[2]!));
    if (!target.startsWith('server/')) continue;
    const clause = match[1]!;
    for (const part of (clause.match(/\{([^}]*)\}/)?.[1] ?? '').split(',')) {
      const named = part.trim();
      if (named === '' || named.startsWith('type ')) continue;
      const [exported, local = exported] = named.split(/\s+as\s+/);
      imports.set(local!, { file: target, name: exported! });
    }
    const whole = clause.match(/^(\w+)/)?.[1] ?? clause.match(/\*\s+as\s+(\w+)/)?.[1];
    if (whole) imports.set(whole, { file: target, name: '*' });
  }
  return imports;
}

const reached = new Map<string, Set<string>>();
/** The codes one top-level declaration of a file reaches ('*' or a name it does not declare, such as a re-export: the whole file). */
function reachOf(file: string, name: string): Set<string> {
  const key = `${file}#${name}`;
  const known = reached.get(key);
  if (known) return known;
  const found = new Set<string>();
  reached.set(key, found); // an import cycle meets this (still filling) set
  if (NOT_WALKED.has(file)) return found;
  const declaration = name === '*' ? undefined : topLevel(file).get(name);
  for (const code of textReach(file, declaration ?? source(file))) found.add(code);
  return found;
}

/** Top-level declarations of a file: name → its text (to the next top-level line). */
function topLevel(file: string): Map<string, string> {
  const lines = source(file).split('\n');
  const chunks = new Map<string, string>();
  let name: string | null = null;
  let body: string[] = [];
  const flush = () => {
    if (name !== null) chunks.set(name, body.join('\n'));
  };
  for (const line of lines) {
    const declared = line.match(/^(?:export )?(?:async )?(?:function\*? |const |let |class )(\w+)/);
    if (declared || /^(?:import|type|export type|interface|\/\*\*)/.test(line)) {
      flush();
      name = declared ? declared[1]! : null;
      body = [];
    }
    if (name !== null) body.push(line);
  }
  flush();
  return chunks;
}

/** The codes a slice of `file` reaches: its own, its file's declarations and the imports it names. */
export function textReach(file: string, text: string): Set<string> {
  const found = codesIn(text);
  const imports = importsOf(file);
  const local = topLevel(file);
  const pending = [text];
  const visited = new Set<string>();
  while (pending.length > 0) {
    const piece = pending.pop()!;
    for (const word of new Set(piece.match(/\b[A-Za-z_$][\w$]*\b/g) ?? [])) {
      const imported = imports.get(word);
      if (imported !== undefined) for (const code of reachOf(imported.file, imported.name)) found.add(code);
      const declaration = local.get(word);
      if (declaration !== undefined && !visited.has(word)) {
        visited.add(word);
        for (const code of codesIn(declaration)) found.add(code);
        pending.push(declaration);
      }
    }
  }
  return found;
}

/**
 * Each registerEndpoint call's text in a route module, from its name to the next registration or
 * the next top-level declaration of the file.
 */
export function handlerSlices(file: string): Map<string, string> {
  const slices = new Map<string, string>();
  for (const chunk of topLevel(file).values()) {
    const starts = [...chunk.matchAll(/registerEndpoint\(\w+, services, '(\w+)'/g)];
    starts.forEach((start, i) => {
      // A registration ends at the next one, or where the module sets up a scope (a rate limit) for the next.
      const scope = chunk.slice(start.index).search(/\n\s*\w+\.register\(/);
      const end = Math.min(starts[i + 1]?.index ?? chunk.length, scope === -1 ? chunk.length : start.index + scope);
      slices.set(start[1]!, chunk.slice(start.index, end));
    });
  }
  return slices;
}

/** Each push operation type's handler text in server/sync/operations.ts (HANDLERS' methods, the inquiries' run). */
export function operationSlices(): Map<string, string> {
  const file = 'server/sync/operations.ts';
  const chunks = topLevel(file);
  const handlers = chunks.get('HANDLERS') ?? '';
  const slices = new Map<string, string>();
  const starts = [...handlers.matchAll(/^ {2}async '?([\w.]+)'?\(/gm)];
  starts.forEach((start, i) => slices.set(start[1]!, handlers.slice(start.index, starts[i + 1]?.index ?? handlers.length)));
  slices.set('inquiry', chunks.get('answerInquiries') ?? '');
  return slices;
}
