// Workspace trust. The server runs make, cargo, rustc and gcc on the module
// when it builds, so a folder the user has not trusted gets analysis only:
// no build on save, no rebuild or regenerate commands, and no server binary
// taken from inside the folder itself.

export interface TrustPolicy {
  /** Builds may run (on save and from the rebuild/regenerate commands). */
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
 * Settings a workspace must not be able to set while untrusted: each names a
 * program or a tree of programs the server would run. Listed in package.json
 * (capabilities.untrustedWorkspaces.restrictedConfigurations), where a test
 * compares them.
 */
export const RESTRICTED_SETTINGS = ['rustko.server.path', 'rustko.rustRoot', 'rustko.kernelDir'];
