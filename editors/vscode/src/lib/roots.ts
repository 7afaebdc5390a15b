// Module-root detection, the same rule the server applies (module.FindRoot):
// a folder is a rust.ko module when it holds a Makefile or Kbuild together
// with a Cargo.toml or config.mk. Kept free of the vscode API so it can be
// unit-tested, and so the extension and the server never disagree about
// which folders are modules.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Files of which one from each group must be present. */
export const BUILD_MARKERS = ['Makefile', 'Kbuild'] as const;
export const PROJECT_MARKERS = ['Cargo.toml', 'config.mk'] as const;

/** How far below a workspace folder modules are looked for (as the server does). */
export const SEARCH_DEPTH = 2;

/** Folders never searched: hidden ones and build output. */
const SKIP = new Set(['build', 'target', 'node_modules']);

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function subdirs(p: string): string[] {
  try {
    return fs
      .readdirSync(p, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return []; // unreadable folders hold no module we could use
  }
}

export function isModuleRoot(dir: string): boolean {
  const has = (names: readonly string[]) => names.some((n) => isFile(path.join(dir, n)));
  return has(BUILD_MARKERS) && has(PROJECT_MARKERS);
}

/**
 * The module holding dir (a folder at or above it), or undefined. A file
 * inside src/ of a module finds the module, like the server's FindRoot.
 */
export function rootAbove(dir: string): string | undefined {
  let d = path.resolve(dir);
  for (;;) {
    if (isModuleRoot(d)) {
      return d;
    }
    const parent = path.dirname(d);
    if (parent === d) {
      return undefined;
    }
    d = parent;
  }
}

/**
 * The modules a workspace folder contains: the module holding the folder, or
 * else the modules up to SEARCH_DEPTH levels below it (a repository whose
 * examples/hello is the module). Sorted, without duplicates.
 */
export function findModuleRoots(folder: string, depth = SEARCH_DEPTH): string[] {
  const above = rootAbove(folder);
  if (above !== undefined) {
    return [above];
  }
  const found = new Set<string>();
  const walk = (dir: string, left: number) => {
    if (left === 0) {
      return;
    }
    for (const name of subdirs(dir)) {
      if (name.startsWith('.') || SKIP.has(name)) {
        continue;
      }
      const sub = path.join(dir, name);
      if (isModuleRoot(sub)) {
        found.add(sub);
      }
      walk(sub, left - 1);
    }
  };
  walk(path.resolve(folder), depth);
  return [...found].sort();
}

/**
 * The activation events that cover every module root up to SEARCH_DEPTH
 * below a workspace folder. Every root holds Cargo.toml or config.mk, so
 * those two are enough; the extension then checks the full rule before it
 * starts anything. Listed in package.json, where a test compares them.
 */
export function activationEvents(depth = SEARCH_DEPTH): string[] {
  const out: string[] = [];
  for (let d = 0; d <= depth; d++) {
    const prefix = '*/'.repeat(d);
    for (const m of PROJECT_MARKERS) {
      out.push(`workspaceContains:${prefix}${m}`);
    }
  }
  return out;
}

/** A file whose change can turn a folder into a module (or stop it being one). */
export function isMarkerFile(file: string): boolean {
  const base = path.basename(file);
  return (BUILD_MARKERS as readonly string[]).includes(base) || (PROJECT_MARKERS as readonly string[]).includes(base);
}

/** Escapes glob syntax so an absolute folder path can start a glob pattern. */
export function globEscape(p: string): string {
  return p.replace(/[[\]{}*?!]/g, (c) => `[${c}]`);
}

export interface DocumentFilter {
  scheme: 'file';
  language?: string;
  pattern?: string;
}

/**
 * What the client sends to the server: every Rust file on disk (the server
 * itself ignores files outside modules), plus, per module, the files that
 * configure it (makefiles, Cargo.toml, the target JSON) and the C shim, so
 * their findings line up with the buffer and saving them reloads the module.
 * Never untitled: or git: documents.
 */
export function documentSelector(roots: string[]): DocumentFilter[] {
  const sel: DocumentFilter[] = [{ scheme: 'file', language: 'rust' }];
  for (const r of roots) {
    const base = globEscape(r.split(path.sep).join('/'));
    sel.push({ scheme: 'file', pattern: `${base}/{Makefile,Kbuild,config.mk,Cargo.toml,*.json}` });
    sel.push({ scheme: 'file', pattern: `${base}/src/**/*.{c,h}` });
  }
  return sel;
}
