// One rustko-lsp process per VS Code window, serving every rust.ko module of
// the workspace: started when a module is present, restarted when the binary
// setting or the set of modules changes, stopped with its process group.
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  MessageTransports,
  State,
} from 'vscode-languageclient/node';
import { findServer, LookupInput, missingMessage } from './lib/binary';
import { documentSelector, findModuleRoots } from './lib/roots';
import { configurationChange, ExtensionSettings, needsRestart, readSettings, serverSettings, expandPath } from './lib/settings';
import { StatusModel } from './lib/status';
import { ServerProcess, spawnServer } from './lib/transport';
import { TRUSTED_COMMANDS, trustGranted, trustPolicy } from './lib/trust';
import { StatusBar } from './statusBar';

export class Controller implements vscode.Disposable {
  readonly status = new StatusModel();
  private client: LanguageClient | undefined;
  private proc: ServerProcess | undefined;
  private roots: string[] = [];
  /** The binary of the server this session started; undefined when none. */
  private binary: string | undefined;
  private settings: ExtensionSettings;
  private missingShown = false;
  private busy: Promise<void> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly output: vscode.LogOutputChannel,
    private readonly bar: StatusBar,
  ) {
    this.settings = this.readSettings();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('rustko') && this.onSettings()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.onTrustGranted()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refreshRoots()),
    );
    // A module can appear after activation (config.mk written, a repository
    // cloned into the folder): watch the files that make a folder a module.
    const watcher = vscode.workspace.createFileSystemWatcher('**/{Makefile,Kbuild,Cargo.toml,config.mk}', false, true, false);
    watcher.onDidCreate(() => this.refreshRoots());
    watcher.onDidDelete(() => this.refreshRoots());
    this.disposables.push(watcher);
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  get running(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  private folders(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  private readSettings(): ExtensionSettings {
    const cfg = vscode.workspace.getConfiguration('rustko');
    return readSettings((key, fallback) => cfg.get(key, fallback));
  }

  private serverSettings() {
    return serverSettings(this.settings, this.folders()[0], this.trusted);
  }

  /** Where to look for the server binary, as workspace trust allows now. */
  private lookup(): LookupInput {
    return {
      configured: expandPath(this.settings.serverPath, this.folders()[0]),
      workspaceFolders: this.folders(),
      workspaceBinary: trustPolicy(this.trusted).workspaceBinary,
      env: process.env,
    };
  }

  /** Runs lifecycle steps one at a time: a restart never overlaps a start. */
  private serial(step: () => Promise<void>): Promise<void> {
    this.busy = this.busy.then(step, step).catch((err) => this.output.error(`rustko: ${errText(err)}`));
    return this.busy;
  }

  start(): Promise<void> {
    return this.serial(() => this.doStart());
  }

  restart(why: string): Promise<void> {
    this.output.info(`restarting the server: ${why}`);
    return this.serial(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  private async doStart(): Promise<void> {
    this.roots = this.folders().flatMap((f) => findModuleRoots(f));
    const policy = trustPolicy(this.trusted);
    this.status.trustNote = policy.note;
    if (this.roots.length === 0) {
      this.output.info('no rust.ko module in this workspace (a folder with a Makefile or Kbuild and a Cargo.toml or config.mk); the server is not started');
      this.bar.hide();
      return;
    }
    this.output.info(`rust.ko modules: ${this.roots.join(', ')}`);
    const lookup = this.lookup();
    const { found, tried } = findServer(lookup);
    if (!found) {
      const msg = missingMessage(lookup, tried);
      this.output.error(msg);
      this.status.server = 'missing';
      this.status.serverNote = msg;
      this.bar.render(this.status);
      if (!this.missingShown) {
        this.missingShown = true;
        void vscode.window.showErrorMessage(msg, 'Open Settings', 'Show Output').then((pick) => {
          if (pick === 'Open Settings') {
            void vscode.commands.executeCommand('workbench.action.openSettings', 'rustko.server.path');
          } else if (pick === 'Show Output') {
            this.output.show(true);
          }
        });
      }
      return;
    }
    this.output.info(`server: ${found.path} (from ${found.source})`);
    this.binary = found.path;
    this.status.reset();
    this.status.server = 'starting';
    this.status.serverNote = `Server: ${found.path}`;
    this.bar.render(this.status);

    const serverOptions = async (): Promise<MessageTransports> => {
      // Called again by the client after a crash: the old process is gone
      // but its group may not be.
      void this.proc?.stop(0);
      this.status.reset();
      this.proc = await spawnServer({
        command: found.path,
        args: ['serve'],
        cwd: this.roots[0],
        tap: (msg) => this.status.observe(msg) && this.bar.render(this.status),
        onStderr: (line) => this.output.appendLine(line),
      });
      return { reader: this.proc.reader, writer: this.proc.writer, detached: false };
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: documentSelector(this.roots),
      outputChannel: this.output,
      diagnosticCollectionName: 'rustko',
      initializationOptions: () => this.serverSettings(),
      markdown: { isTrusted: false, supportHtml: false },
      middleware: {
        // The server's commands are also registered as VS Code commands by
        // the client; builds started that way obey workspace trust too.
        executeCommand: async (command, args, next) => {
          if (TRUSTED_COMMANDS.has(command) && !this.mayBuild()) {
            return undefined;
          }
          return next(command, args);
        },
      },
    };
    const client = new LanguageClient('rustko', 'rustko', serverOptions, clientOptions);
    client.onDidChangeState((e) => {
      this.status.server = e.newState === State.Running ? 'running' : e.newState === State.Starting ? 'starting' : 'stopped';
      this.bar.render(this.status);
    });
    // The tap reads it; a handler keeps the client from logging it as unhandled.
    client.onNotification('rustko/status', () => undefined);
    this.client = client;
    try {
      await client.start();
    } catch (err) {
      this.status.server = 'stopped';
      this.status.serverNote = `The server failed to start: ${errText(err)}`;
      this.bar.render(this.status);
      this.output.error(`starting ${found.path} failed: ${errText(err)}`);
      void vscode.window.showErrorMessage(`rustko: the language server failed to start: ${errText(err)}`, 'Show Output').then((pick) => {
        if (pick) {
          this.output.show(true);
        }
      });
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.binary = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (err) {
        this.output.warn(`stopping the server: ${errText(err)}`);
      }
      client.dispose().catch(() => undefined);
    }
    const proc = this.proc;
    this.proc = undefined;
    if (proc) {
      const code = await proc.stop(2000);
      this.output.info(`server exited (${code})`);
    }
    this.status.server = 'stopped';
  }

  /** Whether a build may start now; tells the user why not. */
  mayBuild(): boolean {
    const policy = trustPolicy(this.trusted);
    if (!policy.builds) {
      void vscode.window.showWarningMessage(policy.refusal!, 'Manage Workspace Trust').then((pick) => {
        if (pick) {
          void vscode.commands.executeCommand('workbench.trust.manage');
        }
      });
    }
    return policy.builds;
  }

  /** Runs one of the server's commands; undefined when no server runs. */
  async execute<T>(command: string, args: string[]): Promise<T | undefined> {
    const client = this.running;
    if (!client) {
      void vscode.window.showWarningMessage(
        this.roots.length === 0
          ? 'rustko: no rust.ko module in this workspace (a folder with a Makefile or Kbuild and a Cargo.toml or config.mk).'
          : 'rustko: the language server is not running; see the rustko output, or run "rustko: Restart Server".',
      );
      return undefined;
    }
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args })) as T;
  }

  private onSettings(): void {
    const next = this.readSettings();
    const restart = needsRestart(this.settings, next);
    this.settings = next;
    if (restart) {
      void this.restart('rustko.server.path changed');
      return;
    }
    const client = this.running;
    if (client) {
      void client.sendNotification(DidChangeConfigurationNotification.type, configurationChange(this.serverSettings()));
    }
  }

  /**
   * The user trusted the workspace: the workspace's values of the restricted
   * settings apply now, and the server is told (or restarted, when trust
   * changes which binary runs) so it reads the modules with make and builds.
   */
  private onTrustGranted(): void {
    this.settings = this.readSettings();
    const client = this.running;
    const action = trustGranted(client ? this.binary : undefined, findServer(this.lookup()).found?.path);
    if (action.restart || !client) {
      void this.restart(action.why);
      return;
    }
    this.output.info(action.why);
    this.status.trustNote = trustPolicy(true).note;
    this.bar.render(this.status);
    void client.sendNotification(DidChangeConfigurationNotification.type, configurationChange(this.serverSettings()));
  }

  private refreshRoots(): void {
    const now = this.folders().flatMap((f) => findModuleRoots(f));
    if (now.join('\n') !== this.roots.join('\n')) {
      void this.restart(now.length === 0 ? 'no module left' : `modules now: ${now.join(', ')}`);
    }
  }

  async dispose(): Promise<void> {
    for (const d of this.disposables) {
      d.dispose();
    }
    await this.serial(() => this.doStop());
  }
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
