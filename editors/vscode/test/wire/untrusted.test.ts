// The wire test for Restricted Mode: the real rustko-lsp binary, started the
// way the extension starts it, initialized with the settings the extension
// sends for an untrusted workspace (trusted: false). On a temp copy of
// examples/hello whose Makefile creates a sentinel file the moment make
// reads it: analysis and hover work, the rebuild and run commands are
// refused with the reason, make never runs; once trust is granted (the didChangeConfiguration
// the extension sends) make runs.
// RUSTKO_BIN names the binary (default: bin/rustko-lsp of this checkout).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
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
  ResponseError,
  ShutdownRequest,
} from 'vscode-languageserver-protocol/node';
import { configurationChange, DEFAULTS, serverSettings } from '../../src/lib/settings';
import { ServerProcess } from '../../src/lib/transport';
import { bin, copyExample, initializeParams, WireClient } from './harness';

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
const client = new WireClient();
const { published } = client;
const until = client.until.bind(client);

const makeRan = () => fs.existsSync(sentinel);

describe('rustko-lsp in Restricted Mode (trusted: false), as VS Code drives it', { timeout: 600_000 }, () => {
  before(async () => {
    assert.ok(fs.existsSync(bin), `${bin} does not exist: build the server first (make build), or set RUSTKO_BIN`);
    ({ work, module } = copyExample('rustko-untrusted-'));
    sentinel = path.join(module, 'SENTINEL');
    const mk = path.join(module, 'Makefile');
    fs.writeFileSync(mk, `RAN := $(shell touch ${sentinel})\n${fs.readFileSync(mk, 'utf8')}`);
    libPath = path.join(module, 'src', 'lib.rs');
    libUri = pathToFileURL(libPath).href;
    // A call to the static inline kmalloc (linux/slab.h, one of the default headers): analysis flags it.
    const lines = fs.readFileSync(libPath, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('_printk('));
    assert.ok(at >= 0, 'src/lib.rs of examples/hello calls _printk');
    const indent = /^\s*/.exec(lines[at])![0];
    libText = [...lines.slice(0, at + 1), `${indent}let _p = bindings::kmalloc(64, bindings::GFP_KERNEL);`, ...lines.slice(at + 1)].join('\n');
    fs.writeFileSync(libPath, libText);
    bindingsBefore = readIfThere(path.join(module, 'src', 'bindings.rs'));

    await client.start(work);
    ({ proc, conn } = client);
  });

  after(async () => {
    await client.stop();
    if (work) {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('initialize with the settings of an untrusted workspace', async () => {
    const p = initializeParams(module, false);
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
    const line = lines.findIndex((l) => l.includes('_printk('));
    const h = await conn.sendRequest(HoverRequest.type, {
      textDocument: { uri: libUri },
      position: { line, character: lines[line].indexOf('_printk') + 2 },
    });
    assert.ok(h && MarkupContent.is(h.contents), `no markdown hover for _printk: ${JSON.stringify(h)}`);
    assert.match(h.contents.value, /```c\n[^`]*_printk\s*\(/);
  });

  for (const command of ['rustko.rebuild', 'rustko.run']) {
    test(`${command} is refused, saying why`, async () => {
      await assert.rejects(
        conn.sendRequest(ExecuteCommandRequest.type, { command, arguments: [libUri] }),
        (err: unknown) => {
          assert.ok(err instanceof ResponseError, `not a ResponseError: ${err}`);
          assert.match(err.message, /not trusted/);
          assert.match(err.message, /Restricted Mode/);
          assert.match(err.message, /Manage Workspace Trust/);
          return true;
        },
      );
    });
  }

  test('a save builds nothing, and make never ran', async () => {
    await conn.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri: libUri } });
    // The server builds 300 ms after a save when it builds at all.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(client.sawBuilding, false, 'a build ran in the untrusted workspace');
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
