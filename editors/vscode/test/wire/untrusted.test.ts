// The wire test for Restricted Mode: the real rustko-lsp binary, started the
// way the extension starts it, initialized with the settings the extension
// sends for an untrusted workspace (trusted: false). On a temp copy of
// examples/hello whose Makefile creates a sentinel file the moment make
// reads it: analysis and hover work, the rebuild command is refused with the
// reason, make never runs; once trust is granted (the didChangeConfiguration
// the extension sends) make runs.
// RUSTKO_BIN names the binary (default: bin/rustko-lsp of this checkout).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
  createMessageConnection,
  Diagnostic,
  DidChangeConfigurationNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  ExecuteCommandRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  MarkupContent,
  MessageConnection,
  PublishDiagnosticsNotification,
  ResponseError,
  ShutdownRequest,
} from 'vscode-languageserver-protocol/node';
import { configurationChange, DEFAULTS, serverSettings } from '../../src/lib/settings';
import { StatusModel } from '../../src/lib/status';
import { ServerProcess, spawnServer } from '../../src/lib/transport';

const pkgDir = path.resolve(__dirname, '..', '..', '..');
const repo = path.resolve(pkgDir, '..', '..');
const bin = process.env.RUSTKO_BIN || path.join(repo, 'bin', 'rustko-lsp');
const example = path.join(repo, 'examples', 'hello');

const LOAD_MS = 150_000; // first load: kbuild flag capture, the C index of the system's headers
const CHANGE_MS = 30_000;

let work: string;
let module: string;
let sentinel: string;
let libPath: string;
let libUri: string;
let libText: string;
// src/bindings.rs as it was before the server started: absent in a fresh clone (it is generated), the
// previous build's otherwise. Either way the untrusted server must leave it so.
let bindingsBefore: string | null;
const readIfThere = (p: string): string | null => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null);
let proc: ServerProcess;
let conn: MessageConnection;
const status = new StatusModel();
const published = new Map<string, Diagnostic[]>();
const stderr: string[] = [];
let waiters: (() => void)[] = [];
let sawBuilding = false;

function until(ms: number, what: string, cond: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    if (cond()) {
      resolve();
      return;
    }
    const check = () => {
      if (cond()) {
        clearTimeout(timer);
        clearInterval(poll);
        waiters = waiters.filter((w) => w !== check);
        resolve();
      }
    };
    // Files appearing (the sentinel) send no message: look now and then too.
    const poll = setInterval(check, 200);
    const timer = setTimeout(() => {
      clearInterval(poll);
      waiters = waiters.filter((w) => w !== check);
      reject(new Error(`timed out after ${ms} ms waiting for ${what}; server log tail:\n${stderr.slice(-15).join('\n')}`));
    }, ms);
    waiters.push(check);
  });
}

function wake() {
  for (const w of [...waiters]) {
    w();
  }
}

const makeRan = () => fs.existsSync(sentinel);

describe('rustko-lsp in Restricted Mode (trusted: false), as VS Code drives it', { timeout: 600_000 }, () => {
  before(async () => {
    assert.ok(fs.existsSync(bin), `${bin} does not exist: build the server first (make build), or set RUSTKO_BIN`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'rustko-untrusted-'));
    module = path.join(work, 'hello');
    fs.cpSync(example, module, { recursive: true, filter: (src) => !/[/\\](build|target)$/.test(src) });
    sentinel = path.join(module, 'SENTINEL');
    const mk = path.join(module, 'Makefile');
    fs.writeFileSync(mk, `RAN := $(shell touch ${sentinel})\n${fs.readFileSync(mk, 'utf8')}`);
    libPath = path.join(module, 'src', 'lib.rs');
    libUri = pathToFileURL(libPath).href;
    // A call to the static inline kmalloc (linux/slab.h, one of the default headers): analysis flags it.
    const lines = fs.readFileSync(libPath, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('_printk'));
    assert.ok(at >= 0, 'src/lib.rs of examples/hello calls _printk');
    const indent = /^\s*/.exec(lines[at])![0];
    libText = [...lines.slice(0, at + 1), `${indent}let _p = bindings::kmalloc(64, bindings::GFP_KERNEL);`, ...lines.slice(at + 1)].join('\n');
    fs.writeFileSync(libPath, libText);
    bindingsBefore = readIfThere(path.join(module, 'src', 'bindings.rs'));

    proc = await spawnServer({
      command: bin,
      args: ['serve'],
      cwd: work,
      tap: (msg) => {
        status.observe(msg);
        sawBuilding ||= status.build === 'building';
      },
      onStderr: (line) => stderr.push(line),
    });
    conn = createMessageConnection(proc.reader, proc.writer);
    conn.onRequest('window/workDoneProgress/create', () => null);
    conn.onRequest('client/registerCapability', () => null);
    conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      published.set(p.uri, p.diagnostics);
      wake();
    });
    conn.onNotification('window/showMessage', () => wake());
    conn.onNotification('$/progress', () => wake());
    conn.listen();
  });

  after(async () => {
    conn?.dispose();
    if (proc) {
      await proc.stop(0);
    }
    if (work) {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('initialize with the settings of an untrusted workspace', async () => {
    const p = JSON.parse(fs.readFileSync(path.join(pkgDir, 'test', 'fixtures', 'vscode-initialize.json'), 'utf8'));
    delete p.$comment;
    const uri = pathToFileURL(module).href;
    p.processId = process.pid;
    p.rootPath = module;
    p.rootUri = uri;
    p.workspaceFolders = [{ uri, name: path.basename(module) }];
    p.initializationOptions = serverSettings(DEFAULTS, module, false);
    assert.deepEqual(p.initializationOptions, { buildOnSave: false, trusted: false });
    const init = await conn.sendRequest(InitializeRequest.type, p);
    assert.equal(init.serverInfo?.name, 'rustko-lsp');
    await conn.sendNotification(InitializedNotification.type, {});
  });

  test('diagnostics from analysis arrive: the static inline kmalloc is flagged', async (t) => {
    await conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: libUri, languageId: 'rust', version: 1, text: libText },
    });
    const flagged = () => (published.get(libUri) ?? []).some((d) => JSON.stringify(d.message).includes('kmalloc'));
    await until(LOAD_MS, 'a diagnostic about kmalloc', flagged);
    const d = published.get(libUri)!.find((x) => JSON.stringify(x.message).includes('kmalloc'))!;
    for (const x of published.get(libUri)!) {
      t.diagnostic(`${x.source}[${x.code}] line ${x.range.start.line + 1}: ${JSON.stringify(x.message).slice(0, 200)}`);
    }
    assert.equal(d.source, 'rustko');
    assert.match(JSON.stringify(d.message), /static inline/);
  });

  test('hover on _printk shows its C declaration', async () => {
    const lines = libText.split('\n');
    const line = lines.findIndex((l) => l.includes('_printk'));
    const h = await conn.sendRequest(HoverRequest.type, {
      textDocument: { uri: libUri },
      position: { line, character: lines[line].indexOf('_printk') + 2 },
    });
    assert.ok(h && MarkupContent.is(h.contents), `no markdown hover for _printk: ${JSON.stringify(h)}`);
    assert.match(h.contents.value, /```c\n[^`]*_printk\s*\(/);
  });

  test('rustko.rebuild is refused, saying why', async () => {
    await assert.rejects(
      conn.sendRequest(ExecuteCommandRequest.type, { command: 'rustko.rebuild', arguments: [libUri] }),
      (err: unknown) => {
        assert.ok(err instanceof ResponseError, `not a ResponseError: ${err}`);
        assert.match(err.message, /not trusted/);
        assert.match(err.message, /Restricted Mode/);
        assert.match(err.message, /Manage Workspace Trust/);
        return true;
      },
    );
  });

  test('a save builds nothing, and make never ran', async () => {
    await conn.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri: libUri } });
    // The server builds 300 ms after a save when it builds at all.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(sawBuilding, false, 'a build ran in the untrusted workspace');
    assert.equal(makeRan(), false, 'the untrusted Makefile was evaluated: SENTINEL exists');
    assert.equal(readIfThere(path.join(module, 'src', 'bindings.rs')), bindingsBefore, 'src/bindings.rs was written or rewritten');
  });

  test('trust granted (the didChangeConfiguration the extension sends): make runs', async () => {
    await conn.sendNotification(DidChangeConfigurationNotification.type, configurationChange(serverSettings({ ...DEFAULTS, buildOnSave: false }, module, true)));
    await until(LOAD_MS, 'make to read the Makefile (SENTINEL)', makeRan);
    // Analysis goes on with the module's own configuration.
    await until(CHANGE_MS, 'the kmalloc diagnostic after the reload', () =>
      (published.get(libUri) ?? []).some((d) => JSON.stringify(d.message).includes('kmalloc')),
    );
  });

  test('shutdown and exit end the server with code 0', async () => {
    await conn.sendRequest(ShutdownRequest.type);
    await conn.sendNotification(ExitNotification.type);
    const code = await Promise.race([proc.exited, new Promise((r) => setTimeout(() => r('still running after 5 s'), 5000))]);
    assert.equal(code, 0);
  });
});
