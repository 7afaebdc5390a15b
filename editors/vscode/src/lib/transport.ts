// Starting rustko-lsp and connecting to it. The extension spawns the server
// itself, rather than letting the language client do it, for two reasons: the
// server (and every make, cargo and gcc it starts) runs in its own process
// group, so stopping it can never leave a compiler behind; and every message
// the server sends passes a tap first, which is how the status bar learns of
// builds and errors without replacing the client's own handlers.
import { ChildProcess, spawn } from 'node:child_process';
import { DataCallback, Disposable, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import type { Message } from './status';

export type Tap = (msg: Message) => void;

/** A reader that shows every incoming message to tap before the client handles it. */
export class TapReader extends StreamMessageReader {
  constructor(
    readable: NodeJS.ReadableStream,
    private readonly tap: Tap,
  ) {
    super(readable);
  }

  override listen(callback: DataCallback): Disposable {
    return super.listen((msg) => {
      try {
        this.tap(msg as Message);
      } catch {
        // The status bar must never break the connection.
      }
      callback(msg);
    });
  }
}

export interface ServerProcess {
  process: ChildProcess;
  reader: TapReader;
  writer: StreamMessageWriter;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<number | string>;
  /**
   * Waits up to graceMs for the server to exit by itself (it does after the
   * exit notification), then ends its whole process group, politely first.
   */
  stop(graceMs?: number): Promise<number | string>;
}

export interface SpawnOptions {
  command: string;
  args?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  tap?: Tap;
  /** The server's log (stderr), line by line. */
  onStderr?: (line: string) => void;
}

export async function spawnServer(opts: SpawnOptions): Promise<ServerProcess> {
  const child = spawn(opts.command, opts.args ?? ['serve'], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    // A new session and process group: the group id is the server's pid.
    detached: true,
  });
  // spawn reports a missing or non-executable binary asynchronously.
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => reject(new Error(`starting ${opts.command}: ${err.message}`)));
  });
  const exited = new Promise<number | string>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode ?? child.signalCode ?? 0);
      return;
    }
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 0));
  });
  if (opts.onStderr) {
    const onLine = opts.onStderr;
    let buf = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    child.stderr!.on('end', () => buf !== '' && onLine(buf));
  } else {
    child.stderr!.resume();
  }
  const reader = new TapReader(child.stdout!, opts.tap ?? (() => {}));
  const writer = new StreamMessageWriter(child.stdin!);
  const killGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // Already gone.
    }
  };
  const stop = async (graceMs = 2000) => {
    const timeout = (ms: number) => new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref());
    if ((await Promise.race([exited, timeout(graceMs)])) === 'timeout') {
      killGroup('SIGTERM');
      if ((await Promise.race([exited, timeout(2000)])) === 'timeout') {
        killGroup('SIGKILL');
      }
    } else {
      // The server left; anything it started and did not reap goes too.
      killGroup('SIGTERM');
    }
    reader.dispose();
    writer.dispose();
    return exited;
  };
  return { process: child, reader, writer, exited, stop };
}
