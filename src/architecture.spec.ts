import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The import rules of docs/ARCHITECTURE.md, read from the source itself. Test files are left out:
 * a test may reach across folders to check how they fit together.
 */

const SRC = __dirname;

interface SourceFile {
  /** Path relative to src/, with forward slashes. */
  file: string;
  text: string;
  /** Every relative import, resolved to a path relative to src/ (may lie outside src/). */
  imports: string[];
}

function productionFiles(dir = SRC): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return productionFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

function resolveImport(fromFile: string, specifier: string): string {
  const target = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [`${target}.ts`, path.join(target, 'index.ts'), target];
  const found = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile()) ?? target;
  return path.relative(SRC, found).split(path.sep).join('/');
}

function read(full: string): SourceFile {
  const text = fs.readFileSync(full, 'utf8');
  const imports = ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolveImport(full, name));
  return { file: path.relative(SRC, full).split(path.sep).join('/'), text, imports };
}

/** The top folder under src/ a path belongs to; '' for the composition files at src/'s root. */
function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === '..') return '..';
  return parts.length > 1 ? parts[0] : '';
}

const FILES = productionFiles().map(read);

/** docs/ARCHITECTURE.md's layers: a folder imports its own layer or lower ones, never a higher one. */
const LAYERS: Record<string, number> = {
  config: 0,
  gluster: 0,
  ssh: 1,
  queue: 1,
  database: 1,
  ovirt: 1,
  'ovirt-model': 1,
  'ovirt-engine': 1,
  events: 2,
  jobs: 2,
  logging: 2,
  openapi: 2,
  health: 2,
  users: 2,
  auth: 2,
  embedded: 2,
  clusters: 3,
  hosts: 3,
  volumes: 3,
  sessions: 3,
  discovery: 3,
  'session-worker': 3,
  preflight: 3,
  'session-logs': 3,
  'session-create': 3,
  'storage-domains': 3,
  dr: 3,
  failover: 3,
  pki: 3,
  metrics: 3,
  notifications: 3,
  'gluster-events': 3,
};

function folderGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const f of FILES) {
    const from = folderOf(f.file);
    for (const target of f.imports) {
      const to = folderOf(target);
      if (to === from || from === '' || to === '..') continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      edges.set(to, [...(edges.get(to) ?? []), `${f.file} -> ${target}`]);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Strongly connected components of more than one folder (Tarjan). */
function folderLoops(graph: Map<string, Map<string, string[]>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) loops.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return loops;
}

describe('architecture: import rules', () => {
  it('reads the source (a guard against a rule that passes because it saw nothing)', () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(folderGraph().get('sessions')?.has('volumes')).toBe(true);
  });

  it('has no import loop between folders of src/', () => {
    const graph = folderGraph();
    const loops = folderLoops(graph).map((component) => ({
      folders: component,
      imports: component.flatMap((from) => component.flatMap((to) => graph.get(from)?.get(to) ?? [])),
    }));
    expect(loops).toEqual([]);
  });

  it('finds a loop when there is one (the detector itself)', () => {
    const graph = new Map([
      ['a', new Map([['b', ['a/x.ts -> b/y.ts']]])],
      ['b', new Map([['c', ['b/y.ts -> c/z.ts']]])],
      ['c', new Map([['a', ['c/z.ts -> a/x.ts']]])],
      ['d', new Map([['a', ['d/w.ts -> a/x.ts']]])],
    ]);
    expect(folderLoops(graph)).toEqual([['a', 'b', 'c']]);
  });

  it('places every folder in a layer, and no folder imports a higher layer', () => {
    const folders = [...new Set(FILES.map((f) => folderOf(f.file)).filter((f) => f !== ''))].sort();
    expect(folders.filter((f) => !(f in LAYERS))).toEqual([]);
    const upward = [...folderGraph()].flatMap(([from, edges]) =>
      [...edges]
        .filter(([to]) => LAYERS[to] > LAYERS[from])
        .map(([to, imports]) => `${from} (layer ${LAYERS[from]}) -> ${to} (layer ${LAYERS[to]}): ${imports[0]}`),
    );
    expect(upward).toEqual([]);
  });

  it('keeps the composition files at src/ root unimported by any folder', () => {
    const offenders = FILES.filter((f) => folderOf(f.file) !== '').flatMap((f) =>
      f.imports.filter((t) => folderOf(t) === '').map((t) => `${f.file} -> ${t}`),
    );
    expect(offenders).toEqual([]);
  });

  it.each([
    ['gluster', []],
    ['ssh', ['config']],
    ['config', []],
    ['queue', ['config']],
    ['ovirt-engine', []],
  ])('lets %s/ import only %j of the app', (folder, allowed) => {
    const offenders = FILES.filter((f) => folderOf(f.file) === folder).flatMap((f) =>
      f.imports.filter((t) => folderOf(t) !== folder && !allowed.includes(folderOf(t))).map((t) => `${f.file} -> ${t}`),
    );
    expect(offenders).toEqual([]);
  });

  it('names every file that handles jobs *.job.ts', () => {
    const handlers = FILES.filter((f) => /^\s*@OnJob\(/m.test(f.text)).map((f) => f.file);
    expect(handlers.length).toBeGreaterThan(10);
    expect(handlers.filter((f) => !f.endsWith('.job.ts'))).toEqual([]);
  });
});
