// The rustko.* settings and how they reach the server. The server decodes its
// settings strictly (an unknown key makes it ignore the whole object), so
// only the keys it knows are ever sent: the client-side ones (server.path,
// trace.server) stay here.
import * as os from 'node:os';
import * as path from 'node:path';

/** The settings as VS Code reports them (workspace.getConfiguration('rustko')). */
export interface ExtensionSettings {
  serverPath: string;
  kernelDir: string;
  rustRoot: string;
  buildOnSave: boolean;
  extraHeaders: string[];
  helpers: string[];
  trace: 'off' | 'messages' | 'verbose';
}

/** Exactly the keys server/config.go accepts. */
export interface ServerSettings {
  kernelDir?: string;
  rustRoot?: string;
  buildOnSave: boolean;
  /**
   * Workspace trust. false: the server reads the modules without running
   * their makefiles (a $(shell ...) there is arbitrary code) and refuses to
   * build; analysis and hover still work.
   */
  trusted: boolean;
  helpers?: string[];
  extraHeaders?: string[];
}

/** Reads one value with a default, whatever type the user wrote. */
export type Getter = <T>(key: string, fallback: T) => T;

export const DEFAULTS: ExtensionSettings = {
  serverPath: '',
  kernelDir: '',
  rustRoot: '',
  buildOnSave: true,
  extraHeaders: [],
  helpers: [],
  trace: 'off',
};

function str(v: unknown): string {
  return typeof v === 'string' ? v.trim() : '';
}

function list(v: unknown): string[] {
  if (!Array.isArray(v)) {
    return [];
  }
  return v.filter((x): x is string => typeof x === 'string').map((x) => x.trim()).filter((x) => x !== '');
}

/** Reads the settings defensively: settings.json is hand-edited and may hold anything. */
export function readSettings(get: Getter): ExtensionSettings {
  const trace = get<unknown>('trace.server', DEFAULTS.trace);
  return {
    serverPath: str(get<unknown>('server.path', '')),
    kernelDir: str(get<unknown>('kernelDir', '')),
    rustRoot: str(get<unknown>('rustRoot', '')),
    buildOnSave: get<unknown>('buildOnSave', true) !== false,
    extraHeaders: list(get<unknown>('extraHeaders', [])),
    helpers: list(get<unknown>('helpers', [])),
    trace: trace === 'messages' || trace === 'verbose' ? trace : 'off',
  };
}

/**
 * Expands ~ and ${workspaceFolder} the way users expect from other
 * extensions; a relative path is taken from the first workspace folder, since
 * the server runs with no useful working directory.
 */
export function expandPath(p: string, workspaceFolder: string | undefined, home = os.homedir()): string {
  if (p === '') {
    return '';
  }
  let out = p;
  if (out === '~' || out.startsWith('~/')) {
    out = path.join(home, out.slice(1));
  }
  if (workspaceFolder !== undefined) {
    out = out.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
    if (!path.isAbsolute(out)) {
      out = path.join(workspaceFolder, out);
    }
  }
  return path.normalize(out);
}

/**
 * The object sent as initializationOptions and in didChangeConfiguration.
 * trusted is vscode.workspace.isTrusted; when false, buildOnSave is forced
 * off whatever the user set (the server also turns it off for an untrusted
 * workspace, so an older client cannot build by accident).
 */
export function serverSettings(s: ExtensionSettings, workspaceFolder: string | undefined, trusted: boolean): ServerSettings {
  const out: ServerSettings = { buildOnSave: trusted && s.buildOnSave, trusted };
  const kdir = expandPath(s.kernelDir, workspaceFolder);
  if (kdir !== '') {
    out.kernelDir = kdir;
  }
  const rroot = expandPath(s.rustRoot, workspaceFolder);
  if (rroot !== '') {
    out.rustRoot = rroot;
  }
  if (s.helpers.length > 0) {
    out.helpers = [...s.helpers];
  }
  if (s.extraHeaders.length > 0) {
    out.extraHeaders = [...s.extraHeaders];
  }
  return out;
}

/** The didChangeConfiguration payload; the server accepts it wrapped in "rustko". */
export function configurationChange(settings: ServerSettings): { settings: { rustko: ServerSettings } } {
  return { settings: { rustko: settings } };
}

/**
 * Whether a change of settings needs a new server process (the binary
 * changed) rather than a didChangeConfiguration.
 */
export function needsRestart(before: ExtensionSettings, after: ExtensionSettings): boolean {
  return before.serverPath !== after.serverPath;
}
