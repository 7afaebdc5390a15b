// Finding the rustko-lsp binary, and the message that tells a new user how
// to get it when it is nowhere.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const BINARY = 'rustko-lsp';
export const GO_MODULE = 'github.com/rustko/rustko-lsp';

export interface Candidate {
  path: string;
  /** Where the candidate came from, for the log and the error message. */
  source: string;
}

export interface LookupInput {
  /** rustko.server.path, already expanded; '' when unset. */
  configured: string;
  workspaceFolders: string[];
  /** Whether binaries inside the workspace may be used (workspace trust). */
  workspaceBinary: boolean;
  env: NodeJS.ProcessEnv;
  home?: string;
}

/**
 * The places to look, in order. A configured path is the only candidate: if
 * the user named a binary, using another one silently would hide their
 * mistake. Otherwise: a rustko-lsp checkout holding the workspace (its
 * `make build` output), then PATH, then where `go install` puts binaries.
 */
export function candidates(input: LookupInput): Candidate[] {
  if (input.configured !== '') {
    return [{ path: input.configured, source: 'rustko.server.path' }];
  }
  const out: Candidate[] = [];
  if (input.workspaceBinary) {
    for (const f of input.workspaceFolders) {
      const checkout = checkoutAbove(f);
      if (checkout !== undefined) {
        out.push({ path: path.join(checkout, 'bin', BINARY), source: `the rustko-lsp checkout ${checkout} (make build)` });
      }
    }
  }
  for (const dir of (input.env.PATH ?? '').split(path.delimiter)) {
    if (dir !== '' && path.isAbsolute(dir)) {
      out.push({ path: path.join(dir, BINARY), source: 'PATH' });
    }
  }
  const home = input.home ?? os.homedir();
  if (input.env.GOBIN) {
    out.push({ path: path.join(input.env.GOBIN, BINARY), source: 'GOBIN' });
  }
  const gopaths = (input.env.GOPATH ?? '').split(path.delimiter).filter((p) => p !== '');
  if (gopaths.length === 0) {
    gopaths.push(path.join(home, 'go'));
  }
  for (const gp of gopaths) {
    out.push({ path: path.join(gp, 'bin', BINARY), source: 'go install (GOPATH/bin)' });
  }
  const seen = new Set<string>();
  return out.filter((c) => (seen.has(c.path) ? false : (seen.add(c.path), true)));
}

/** The folder at or above dir whose go.mod is rustko-lsp's own. */
export function checkoutAbove(dir: string): string | undefined {
  let d = path.resolve(dir);
  for (;;) {
    try {
      const mod = fs.readFileSync(path.join(d, 'go.mod'), 'utf8');
      if (new RegExp(`^module\\s+${GO_MODULE.replace(/[./]/g, '\\$&')}\\s*$`, 'm').test(mod)) {
        return d;
      }
    } catch {
      // no go.mod here: keep climbing
    }
    const parent = path.dirname(d);
    if (parent === d) {
      return undefined;
    }
    d = parent;
  }
}

export function isExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) {
      return false;
    }
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export type Lookup = { found: Candidate; tried: Candidate[] } | { found?: undefined; tried: Candidate[] };

export function findServer(input: LookupInput): Lookup {
  const tried = candidates(input);
  const found = tried.find((c) => isExecutable(c.path));
  return found ? { found, tried } : { tried };
}

/**
 * What to tell a user whose binary is missing. `go install module@latest`
 * cannot work for rustko-lsp (its go.mod replaces modernc.org/cc/v4 with the
 * patched copy in third_party/), so the message gives the commands that do.
 */
export function missingMessage(input: LookupInput, tried: Candidate[]): string {
  if (input.configured !== '') {
    return (
      `rustko: rustko.server.path is "${input.configured}", which is not an executable file. ` +
      'Fix the setting, or clear it to use rustko-lsp from PATH.'
    );
  }
  const where = [...new Set(tried.map((c) => path.dirname(c.path)))].slice(0, 6).join(', ');
  return (
    `rustko: the ${BINARY} language server was not found (looked in ${where}). ` +
    `Build it from a checkout of ${GO_MODULE}: \`make build\` (makes bin/${BINARY}) or ` +
    `\`go install ./cmd/${BINARY}\` (puts it in ~/go/bin), then set rustko.server.path or put it on PATH, ` +
    'and run "rustko: Restart Server".'
  );
}
