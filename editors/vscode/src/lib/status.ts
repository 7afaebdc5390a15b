// The status bar's state, computed from what the server says on the wire:
// $/progress for builds (the server titles them "rustko: building <module>"
// and ends them with "<n> findings", "failed" or "cancelled: ...") and for
// binding generation on load ("rustko: bindings for <module>"),
// publishDiagnostics for the error count, and the rustko/status notification
// for the kernel release when the server sends it. A VM run (rustko.run) is
// a $/progress titled "rustko: running <module> in a VM" that ends with the
// verdict ("rustko: PASS: ...", "rustko: FAIL: ...", "could not run", "build
// failed", "cancelled"); it drives the second item, the run action. Pure, so
// the same code is fed real server traffic in the wire test.

export type ServerState = 'starting' | 'running' | 'stopped' | 'missing';
export type BuildState = 'none' | 'building' | 'ok' | 'failed';
/** A VM run: passed and failed are the module's verdict; error means the run itself could not happen. */
export type RunState = 'none' | 'running' | 'passed' | 'failed' | 'error';

/** rustko/status: what the server knows about one module. Fields are optional; unknown ones are ignored. */
export interface StatusParams {
  root?: string;
  kernelRelease?: string;
  /** Why there is no kernel tree, when there is none. */
  kernelError?: string;
}

export interface Message {
  method?: string;
  params?: unknown;
}

export interface View {
  text: string;
  tooltip: string;
  /** How the item is coloured: error and warning use the theme's status bar colours. */
  level: 'ok' | 'busy' | 'warning' | 'error';
}

const BUILD_TITLE = /^rustko: building\b/;
const BINDINGS_TITLE = /^rustko: bindings\b/;
const RUN_TITLE = /^rustko: running\b/;
/** The run item's text stays short; the stage (a kernel log line, say) goes in the tooltip. */
const RUN_TEXT = 'Run in VM';
const FINDINGS = /^(\d+) findings?\b/;

export class StatusModel {
  server: ServerState = 'starting';
  trustNote: string | undefined;
  serverNote: string | undefined;
  build: BuildState = 'none';
  stage: string | undefined;
  lastBuild: string | undefined;
  private releases = new Map<string, string>();
  private kernelErrors = new Map<string, string>();
  private buildTokens = new Set<string | number>();
  private bindingTokens = new Set<string | number>();
  private errorsByUri = new Map<string, number>();
  private warningsByUri = new Map<string, number>();
  private settled: BuildState = 'none';
  run: RunState = 'none';
  runStage: string | undefined;
  /** The last finished run's verdict, for the tooltip. */
  lastRun: string | undefined;
  private runTokens = new Set<string | number>();
  private runSettled: RunState = 'none';

  /** Feeds one message from the server; returns whether the view may have changed. */
  observe(msg: Message): boolean {
    switch (msg.method) {
      case '$/progress':
        return this.progress(msg.params);
      case 'textDocument/publishDiagnostics':
        return this.diagnostics(msg.params);
      case 'rustko/status':
        return this.status(msg.params);
    }
    return false;
  }

  get errors(): number {
    return sum(this.errorsByUri);
  }

  get warnings(): number {
    return sum(this.warningsByUri);
  }

  /** The kernel release(s) the modules build against, e.g. "6.1.0-56-amd64". */
  get kernelRelease(): string | undefined {
    const all = [...new Set(this.releases.values())].sort();
    return all.length === 0 ? undefined : all.join(', ');
  }

  /** Forgets what a previous server process said (restart). */
  reset(): void {
    this.build = this.settled = 'none';
    this.stage = this.lastBuild = undefined;
    this.releases.clear();
    this.kernelErrors.clear();
    this.buildTokens.clear();
    this.bindingTokens.clear();
    this.run = this.runSettled = 'none';
    this.runStage = this.lastRun = undefined;
    this.runTokens.clear();
    this.errorsByUri.clear();
    this.warningsByUri.clear();
  }

  private progress(p: unknown): boolean {
    if (!isObject(p) || (typeof p.token !== 'string' && typeof p.token !== 'number') || !isObject(p.value)) {
      return false;
    }
    const v = p.value;
    const token = p.token;
    switch (v.kind) {
      case 'begin':
        if (typeof v.title === 'string' && BINDINGS_TITLE.test(v.title)) {
          this.bindingTokens.add(token);
          return true;
        }
        if (typeof v.title === 'string' && RUN_TITLE.test(v.title)) {
          this.runTokens.add(token);
          this.run = 'running';
          this.runStage = typeof v.message === 'string' ? v.message : undefined;
          return true;
        }
        if (typeof v.title !== 'string' || !BUILD_TITLE.test(v.title)) {
          return false;
        }
        this.buildTokens.add(token);
        this.build = 'building';
        this.stage = typeof v.message === 'string' ? v.message : undefined;
        return true;
      case 'report':
        if (this.runTokens.has(token)) {
          this.runStage = typeof v.message === 'string' ? v.message : this.runStage;
          return true;
        }
        if (!this.buildTokens.has(token)) {
          return false;
        }
        this.stage = typeof v.message === 'string' ? v.message : this.stage;
        return true;
      case 'end': {
        if (this.bindingTokens.delete(token)) {
          return true;
        }
        if (this.runTokens.delete(token)) {
          this.runEnded(typeof v.message === 'string' ? v.message : '');
          return true;
        }
        if (!this.buildTokens.delete(token)) {
          return false;
        }
        const m = typeof v.message === 'string' ? v.message : '';
        if (FINDINGS.test(m)) {
          this.settled = 'ok';
          this.lastBuild = m;
        } else if (m === 'failed') {
          this.settled = 'failed';
          this.lastBuild = 'the build could not run (see the rustko output)';
        }
        // Anything else (a build superseded by a newer save) leaves the
        // last finished build's state in place.
        if (this.buildTokens.size === 0) {
          this.build = this.settled;
          this.stage = undefined;
        }
        return true;
      }
    }
    return false;
  }

  private runEnded(m: string): void {
    if (/^rustko: PASS\b/.test(m)) {
      this.runSettled = 'passed';
      this.lastRun = m.replace(/^rustko: /, '');
    } else if (m === 'could not run' || m === 'build failed') {
      this.runSettled = 'error';
      this.lastRun = `${m} (see the rustko output)`;
    } else if (m !== '' && !m.startsWith('cancelled')) {
      // "rustko: FAIL: ..." or "rustko: <module> did not build: ...".
      this.runSettled = 'failed';
      this.lastRun = m.replace(/^rustko: /, '');
    }
    // A run superseded by a newer one leaves the last finished run's state.
    if (this.runTokens.size === 0) {
      this.run = this.runSettled;
      this.runStage = undefined;
    }
  }

  private diagnostics(p: unknown): boolean {
    if (!isObject(p) || typeof p.uri !== 'string' || !Array.isArray(p.diagnostics)) {
      return false;
    }
    let errors = 0;
    let warnings = 0;
    for (const d of p.diagnostics) {
      // No severity means the client decides; VS Code shows those as errors.
      const sev = isObject(d) && typeof d.severity === 'number' ? d.severity : 1;
      if (sev === 1) {
        errors++;
      } else if (sev === 2) {
        warnings++;
      }
    }
    setCount(this.errorsByUri, p.uri, errors);
    setCount(this.warningsByUri, p.uri, warnings);
    return true;
  }

  private status(p: unknown): boolean {
    if (!isObject(p)) {
      return false;
    }
    const root = typeof p.root === 'string' ? p.root : '';
    if (typeof p.kernelRelease === 'string' && p.kernelRelease !== '') {
      this.releases.set(root, p.kernelRelease);
      this.kernelErrors.delete(root);
    } else {
      this.releases.delete(root);
    }
    if (typeof p.kernelError === 'string' && p.kernelError !== '') {
      this.kernelErrors.set(root, p.kernelError);
    }
    return true;
  }

  view(): View {
    const name = this.kernelRelease ? `rustko ${this.kernelRelease}` : 'rustko';
    const trust = this.trustNote ? ` · ${this.trustNote}` : '';
    const lines: string[] = [];
    if (this.kernelRelease) {
      lines.push(`Kernel: ${this.kernelRelease}`);
    }
    for (const [root, why] of this.kernelErrors) {
      lines.push(`No kernel tree${root ? ` for ${root}` : ''}: ${why}`);
    }
    if (this.lastBuild) {
      lines.push(`Last build: ${this.lastBuild}`);
    }
    if (this.errors + this.warnings > 0) {
      lines.push(`Diagnostics: ${plural(this.errors, 'error')}, ${plural(this.warnings, 'warning')}`);
    }
    if (this.trustNote) {
      lines.push(`Restricted Mode: ${this.trustNote}; trust the workspace to build.`);
    }
    if (this.serverNote) {
      lines.push(this.serverNote);
    }
    lines.push('Click to show the rustko output.');
    const tooltip = lines.join('\n');

    switch (this.server) {
      case 'missing':
        return { text: '$(error) rustko: server not found', tooltip, level: 'error' };
      case 'stopped':
        return { text: '$(debug-stop) rustko: stopped', tooltip, level: 'warning' };
      case 'starting':
        return { text: `$(loading~spin) ${name}: starting${trust}`, tooltip, level: 'busy' };
    }
    if (this.build === 'building') {
      const stage = this.stage ? ` (${this.stage})` : '';
      return { text: `$(sync~spin) ${name}: building${stage}${trust}`, tooltip, level: 'busy' };
    }
    if (this.bindingTokens.size > 0) {
      return { text: `$(sync~spin) ${name}: generating bindings${trust}`, tooltip, level: 'busy' };
    }
    if (this.errors > 0) {
      return { text: `$(error) ${name}: ${plural(this.errors, 'error')}${trust}`, tooltip, level: 'error' };
    }
    if (this.build === 'failed') {
      return { text: `$(warning) ${name}: build could not run${trust}`, tooltip, level: 'warning' };
    }
    if (this.kernelErrors.size > 0) {
      return { text: `$(warning) ${name}: no kernel tree${trust}`, tooltip, level: 'warning' };
    }
    const icon = this.trustNote ? '$(shield)' : '$(check)';
    return { text: `${icon} ${name}: ok${trust}`, tooltip, level: 'ok' };
  }

  /**
   * The run action beside the main item: shown only while a server runs in
   * a trusted workspace, since the server refuses runs otherwise.
   */
  runView(): View & { visible: boolean } {
    const visible = this.server === 'running' && !this.trustNote;
    const lines = ['Build the module and load it in a throwaway VM (rustko: Run the Module in a VM).'];
    if (this.lastRun) {
      lines.push(`Last run: ${this.lastRun}`);
    }
    switch (this.run) {
      case 'running':
        if (this.runStage) {
          lines.push(`Now: ${this.runStage}`);
        }
        lines.push('Click to start it again; the kernel log lines go to the rustko output.');
        return { visible, text: `$(sync~spin) ${RUN_TEXT}`, tooltip: lines.join('\n'), level: 'busy' };
      case 'passed':
        lines.push('Click to run it again.');
        return { visible, text: `$(pass) ${RUN_TEXT}`, tooltip: lines.join('\n'), level: 'ok' };
      case 'failed':
        lines.push('Click to run it again.');
        return { visible, text: `$(error) ${RUN_TEXT}`, tooltip: lines.join('\n'), level: 'error' };
      case 'error':
        lines.push('Click to run it again.');
        return { visible, text: `$(warning) ${RUN_TEXT}`, tooltip: lines.join('\n'), level: 'warning' };
    }
    lines.push('Click to run it.');
    return { visible, text: `$(play) ${RUN_TEXT}`, tooltip: lines.join('\n'), level: 'ok' };
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function sum(m: Map<string, number>): number {
  let n = 0;
  for (const v of m.values()) {
    n += v;
  }
  return n;
}

function setCount(m: Map<string, number>, key: string, n: number): void {
  if (n === 0) {
    m.delete(key);
  } else {
    m.set(key, n);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
