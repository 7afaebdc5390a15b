// What both wire tests share: where the binary and examples/hello are, a temp
// copy of the example, the initialize request VS Code sends, and the client
// side of the connection, which records what the server publishes and lets a
// test wait for a condition. Bundled into each *.test.js (esbuild --tests),
// so __dirname is out/test/wire/.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, Diagnostic, MessageConnection, PublishDiagnosticsNotification } from 'vscode-languageserver-protocol/node';
import { DEFAULTS, serverSettings } from '../../src/lib/settings';
import { StatusModel } from '../../src/lib/status';
import { ServerProcess, spawnServer } from '../../src/lib/transport';

// The package is three levels up from out/test/wire/, the repository five.
export const pkgDir = path.resolve(__dirname, '..', '..', '..');
export const repo = path.resolve(pkgDir, '..', '..');
export const bin = process.env.RUSTKO_BIN || path.join(repo, 'bin', 'rustko-lsp');
export const example = path.join(repo, 'examples', 'hello');
/**
 * The copy's src/lib.rs: examples/hello prints through rustko::pr_info!, and the tests hover a direct
 * _printk call and type a static inline call beside it. The server's Neovim test uses the same file.
 */
export const exampleLib = path.join(repo, 'server', 'testdata', 'nvim', 'lib.rs');

/**
 * The kernel tree the tests pin, as the Go tests do (internal/testkernel): $RUSTKO_TEST_KDIR, else the
 * newest plain Debian 12 6.1 tree. What the server says about kmalloc and which kernel a run boots depend
 * on it. Put in KERNEL_BUILD_PATH for the server (a module's `KERNEL_BUILD_PATH ?=` takes the
 * environment's value); the server's default (the running kernel's, then the newest tree) would vary by machine.
 */
export function pinnedKernel(): string {
  const env = process.env.RUSTKO_TEST_KDIR;
  if (env) {
    return env;
  }
  const abi = (n: string) => Number(/^linux-headers-6\.1\.\d+-(\d+)-amd64$/.exec(n)?.[1] ?? -1);
  const trees = fs
    .readdirSync('/usr/src')
    .filter((n) => abi(n) >= 0 && fs.existsSync(path.join('/usr/src', n, '.config')))
    .sort((a, b) => abi(a) - abi(b));
  if (trees.length === 0) {
    throw new Error('no kernel tree to pin: install Debian 12\'s linux-headers-6.1.*-amd64 or set RUSTKO_TEST_KDIR');
  }
  return path.join('/usr/src', trees[trees.length - 1]);
}

/** A temp copy of examples/hello without build output, so a test never disturbs the example. */
export function copyExample(prefix: string): { work: string; module: string } {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const module = path.join(work, 'hello');
  fs.cpSync(example, module, { recursive: true, filter: (src) => !/[/\\](build|target)$/.test(src) });
  fs.copyFileSync(exampleLib, path.join(module, 'src', 'lib.rs'));
  return { work, module };
}

/** The initialize request VS Code sends for module, with the settings the extension sends. */
export function initializeParams(module: string, trusted: boolean) {
  const p = JSON.parse(fs.readFileSync(path.join(pkgDir, 'test', 'fixtures', 'vscode-initialize.json'), 'utf8'));
  delete p.$comment;
  const uri = pathToFileURL(module).href;
  p.processId = process.pid;
  p.rootPath = module;
  p.rootUri = uri;
  p.workspaceFolders = [{ uri, name: path.basename(module) }];
  p.initializationOptions = serverSettings(DEFAULTS, module, trusted);
  return p;
}

/** The real server on a pipe, driven as the extension drives it. */
export class WireClient {
  readonly status = new StatusModel();
  readonly published = new Map<string, Diagnostic[]>();
  readonly shown: { type: number; message: string }[] = [];
  /** window/logMessage: where the server sends a VM run's kernel log lines. */
  readonly logged: { type: number; message: string }[] = [];
  readonly stderr: string[] = [];
  /** Whether the status bar ever showed a build running. */
  sawBuilding = false;
  proc!: ServerProcess;
  conn!: MessageConnection;
  private waiters: (() => void)[] = [];

  async start(cwd: string): Promise<void> {
    process.env.KERNEL_BUILD_PATH = pinnedKernel();
    // rustko.run's accelerator: TCG unless told, as e2e/boot.sh (KVM hangs or
    // aborts on some machines, nested virtualisation among them).
    process.env.RUSTKO_VM_ACCEL ||= 'tcg';
    this.proc = await spawnServer({
      command: bin,
      args: ['serve'],
      cwd,
      tap: (msg) => {
        this.status.observe(msg);
        this.sawBuilding ||= this.status.build === 'building';
      },
      onStderr: (line) => this.stderr.push(line),
    });
    const conn = createMessageConnection(this.proc.reader, this.proc.writer);
    this.conn = conn;
    conn.onRequest('window/workDoneProgress/create', () => null);
    conn.onRequest('client/registerCapability', () => null);
    conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.published.set(p.uri, p.diagnostics);
      this.wake();
    });
    conn.onNotification('window/showMessage', (p: { type: number; message: string }) => {
      this.shown.push(p);
      this.wake();
    });
    conn.onNotification('window/logMessage', (p: { type: number; message: string }) => {
      this.logged.push(p);
      this.wake();
    });
    conn.onNotification('$/progress', () => this.wake());
    conn.listen();
  }

  async stop(): Promise<void> {
    this.conn?.dispose();
    if (this.proc) {
      await this.proc.stop(0);
    }
  }

  /** The messages of the diagnostics last published for uri. */
  messages(uri: string): string[] {
    return (this.published.get(uri) ?? []).map((d) => (typeof d.message === 'string' ? d.message : d.message.value));
  }

  /**
   * Resolves when cond() holds, checked after every message and every 200 ms (a file appearing sends no
   * message); fails after ms naming what it waited for, with the server's log tail.
   */
  until(ms: number, what: string, cond: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      if (cond()) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      const check = () => {
        if (cond()) {
          done();
          resolve();
        }
      };
      const poll = setInterval(check, 200);
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; server log tail:\n${this.stderr.slice(-15).join('\n')}`));
      }, ms);
      this.waiters.push(check);
    });
  }

  private wake() {
    for (const w of [...this.waiters]) {
      w();
    }
  }
}
