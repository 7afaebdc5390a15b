// Workspace trust. The server runs make, cargo, rustc and gcc on the module
// when it builds, and GNU make on its Makefile when it reads the module's
// variables, so a folder the user has not trusted gets analysis only: the
// server is told `trusted: false` (it then reads the module without make and
// refuses builds), no build on save, no rebuild, regenerate or run commands,
// and no server binary taken from inside the folder itself.

export interface TrustPolicy {
  /** Builds may run (on save and from the rebuild, regenerate and run commands). */
  builds: boolean;
  /** A rustko-lsp binary inside the workspace may be used. */
  workspaceBinary: boolean;
  /** Shown in the status bar when something is held back. */
  note?: string;
  /** Why a held-back command did nothing, for the user. */
  refusal?: string;
}

export function trustPolicy(trusted: boolean): TrustPolicy {
  if (trusted) {
    return { builds: true, workspaceBinary: true };
  }
  return {
    builds: false,
    workspaceBinary: false,
    note: 'analysis only (restricted mode)',
    refusal:
      'rustko runs no builds in Restricted Mode: building runs the module\'s Makefile, cargo and the compilers. ' +
      'Trust this workspace (Manage Workspace Trust) to build.',
  };
}

/**
 * The server's commands that run the workspace's build (rustko.run builds
 * the module before it boots it): held back in Restricted Mode, and the
 * palette entries calling them are enabled only in a trusted workspace
 * (package.json, where a test checks it).
 */
export const TRUSTED_COMMANDS: ReadonlySet<string> = new Set(['rustko.rebuild', 'rustko.regenerateBindings', 'rustko.run']);

/**
 * Settings a workspace must not be able to set while untrusted: each names a
 * program or a tree of programs the server would run. Listed in package.json
 * (capabilities.untrustedWorkspaces.restrictedConfigurations), where a test
 * compares them.
 */
export const RESTRICTED_SETTINGS = ['rustko.server.path', 'rustko.rustRoot', 'rustko.kernelDir'];

/** What granting trust does to a running session. */
export interface GrantAction {
  /** A new server process (true) or a didChangeConfiguration with trusted: true (false). */
  restart: boolean;
  /** For the log. */
  why: string;
}

/**
 * Decides how a session learns that the user trusted the workspace. The
 * running server is kept when it stays the right binary: a
 * didChangeConfiguration with `trusted: true` makes it reload the modules
 * with make, keeping what it has loaded. A restart is needed when no server
 * runs, or when trust changes which binary is used (one inside the
 * workspace, or a workspace value of rustko.server.path, may be used now).
 *
 * @param running the binary of the running server; undefined when none runs
 * @param next the binary the lookup picks now that the workspace is trusted
 */
export function trustGranted(running: string | undefined, next: string | undefined): GrantAction {
  if (running === undefined) {
    return { restart: true, why: 'the workspace is now trusted; starting the server' };
  }
  if (next !== running) {
    return {
      restart: true,
      why: `the workspace is now trusted, so the server is ${next ?? 'looked for again'} instead of ${running}`,
    };
  }
  return { restart: false, why: 'the workspace is now trusted; the server reloads the modules with make' };
}
