// The wire test: the real rustko-lsp binary, driven through the extension's
// own transport (spawnServer: own process group, tapped reader) by
// vscode-languageserver-protocol, the library under VS Code's client, with
// the initialize request VS Code 1.91 sends (test/fixtures, generated from
// the locked vscode-languageclient). Works on a temp copy of examples/hello.
// After the rebuild, rustko.run boots hello.ko in a VM (QEMU, the kernel
// image of the module's tree from the cache or the distro's package); the
// harness makes it TCG unless $RUSTKO_VM_ACCEL says.
// RUSTKO_BIN names the binary (default: bin/rustko-lsp of this checkout).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  InitializeResult,
  MarkupContent,
  MessageConnection,
  ShutdownRequest,
} from 'vscode-languageserver-protocol/node';
import { BindingResult, bindingDocument } from '../../src/lib/binding';
import { findModuleRoots } from '../../src/lib/roots';
import { configurationChange, DEFAULTS, serverSettings } from '../../src/lib/settings';
import { ServerProcess } from '../../src/lib/transport';
import { bin, copyExample, example, initializeParams, WireClient } from './harness';

const LOAD_MS = 150_000; // first load: make -p, kbuild flag capture, the C index
const BUILD_MS = 300_000; // bindings, core sysroot (cached after the first), rustc, kbuild
const CHANGE_MS = 30_000;
const RUN_MS = 300_000; // a TCG boot takes a minute or so (KVM seconds); a kernel image download more

let work: string;
let module: string;
let libPath: string;
let libUri: string;
let libText: string;
let version = 1;
let proc: ServerProcess;
let conn: MessageConnection;
let init: InitializeResult;
const client = new WireClient();
const { status, published, shown, logged, stderr } = client;
const until = client.until.bind(client);
const messages = client.messages.bind(client);

function change(text: string) {
  // VS Code sends incremental changes: the replaced range, its length, the new text.
  const old = libText;
  const lines = old.split('\n');
  libText = text;
  void conn.sendNotification(DidChangeTextDocumentNotification.type, {
    textDocument: { uri: libUri, version: ++version },
    contentChanges: [
      {
        range: { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines[lines.length - 1].length } },
        rangeLength: old.length,
        text,
      },
    ],
  });
}

describe('rustko-lsp over the wire, as VS Code drives it', { timeout: 900_000 }, () => {
  before(async () => {
    assert.ok(fs.existsSync(bin), `${bin} does not exist: build the server first (make build), or set RUSTKO_BIN`);
    assert.ok(fs.existsSync(path.join(example, 'src', 'lib.rs')), `${example}/src/lib.rs is missing`);
    ({ work, module } = copyExample('rustko-wire-'));
    libPath = path.join(module, 'src', 'lib.rs');
    libUri = pathToFileURL(libPath).href;
    libText = fs.readFileSync(libPath, 'utf8');

    await client.start(work);
    ({ proc, conn } = client);
    status.server = 'running';
  });

  after(async () => {
    await client.stop();
    if (work) {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('the extension sees examples/hello as a module', () => {
    assert.deepEqual(findModuleRoots(work), [module]);
  });

  test('initialize with VS Code’s request: the server negotiates UTF-16 and offers hover and the commands', async () => {
    init = await conn.sendRequest(InitializeRequest.type, initializeParams(module, true));
    assert.equal(init.serverInfo?.name, 'rustko-lsp');
    // VS Code offers only utf-16; the server must pick it (or leave it implied).
    assert.ok(init.capabilities.positionEncoding === undefined || init.capabilities.positionEncoding === 'utf-16');
    assert.ok(init.capabilities.hoverProvider);
    assert.deepEqual(
      [...(init.capabilities.executeCommandProvider?.commands ?? [])].sort(),
      ['rustko.rebuild', 'rustko.regenerateBindings', 'rustko.run', 'rustko.showBinding'],
    );
    await conn.sendNotification(InitializedNotification.type, {});
  });

  test('the settings the extension sends reach the server: a kernelDir that is no kernel tree is reported', async () => {
    const bogus = path.join(work, 'no-kernel-here');
    const send = (kernelDir: string) =>
      conn.sendNotification(
        DidChangeConfigurationNotification.type,
        // linux/slab.h declares kmalloc; the module itself reads only printk.h and panic.h.
        configurationChange(serverSettings({ ...DEFAULTS, buildOnSave: false, kernelDir, extraHeaders: ['linux/slab.h'] }, module, true)),
      );
    await send(bogus);
    await until(LOAD_MS, `a warning naming ${bogus}`, () => shown.some((m) => m.message.includes(bogus)));
    await send('');
    // No complaint about the settings object itself (the server drops all of it on an unknown key).
    assert.deepEqual(
      shown.filter((m) => /unknown field|settings must be|ignoring/i.test(m.message)),
      [],
    );
  });

  test('once src/lib.rs is open and the module loaded, hover on _printk shows its C declaration, in markdown', async () => {
    await conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: libUri, languageId: 'rust', version, text: libText },
    });
    const lines = libText.split('\n');
    const line = lines.findIndex((l) => l.includes('_printk('));
    assert.ok(line >= 0, 'src/lib.rs of examples/hello calls _printk');
    const character = lines[line].indexOf('_printk') + 2; // JavaScript indexes are UTF-16, as VS Code's columns
    let contents: MarkupContent | undefined;
    // The first load (make -p, kbuild flags, the C index) takes a while: ask until it answers.
    const deadline = Date.now() + LOAD_MS;
    while (contents === undefined && Date.now() < deadline) {
      const h = await conn.sendRequest(HoverRequest.type, { textDocument: { uri: libUri }, position: { line, character } });
      if (h && MarkupContent.is(h.contents)) {
        contents = h.contents;
      } else {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    assert.ok(contents, `no hover for _printk within ${LOAD_MS} ms; server log tail:\n${stderr.slice(-15).join('\n')}`);
    assert.equal(contents.kind, 'markdown');
    assert.match(contents.value, /```c\n[^`]*_printk\s*\(/);
  });

  test('a call to the static inline kmalloc is flagged as you type; the status bar counts it; it goes with the call', async (t) => {
    const lines = libText.split('\n');
    const at = lines.findIndex((l) => l.includes('_printk('));
    const indent = /^\s*/.exec(lines[at])![0];
    const original = libText;
    change([...lines.slice(0, at + 1), `${indent}let _p = bindings::kmalloc(64, bindings::GFP_KERNEL);`, ...lines.slice(at + 1)].join('\n'));
    const flagged = () => messages(libUri).some((m) => m.includes('kmalloc'));
    await until(CHANGE_MS, 'a diagnostic about kmalloc after didChange', flagged);
    const found = published.get(libUri)!.find((d) => JSON.stringify(d.message).includes('kmalloc'))!;
    t.diagnostic(`${found.source}[${found.code}] line ${found.range.start.line + 1}: ${JSON.stringify(found.message)}`);
    assert.equal(found.range.start.line, at + 1, 'on the inserted line');
    assert.equal(found.source, 'rustko');
    // Flagged as what it is: a static inline, which has no symbol to link.
    assert.match(JSON.stringify(found.message), /static inline/);
    // The status bar counts errors over every file the server published.
    let errors = 0;
    for (const list of published.values()) {
      errors += list.filter((d) => (d.severity ?? 1) === 1).length;
    }
    assert.equal(status.errors, errors);
    t.diagnostic(`status bar: ${status.view().text}`);
    if (errors > 0) {
      assert.match(status.view().text, new RegExp(`^\\$\\(error\\) rustko( [^:]+)?: ${errors} errors?$`));
    }
    change(original);
    await until(CHANGE_MS, 'the kmalloc diagnostic to go when the call goes', () => !flagged());
  });

  test('rustko.showBinding answers for _printk, and the extension renders it', async () => {
    const b = (await conn.sendRequest(ExecuteCommandRequest.type, { command: 'rustko.showBinding', arguments: ['_printk', libUri] })) as BindingResult;
    assert.equal(b.name, '_printk');
    assert.match(b.c?.uri ?? '', /\.h$/);
    assert.match(bindingDocument(b), /^\/\/ \S+ _printk\n\/\/ C declaration: \/\S+\.h:\d+\n/);
  });

  test('rustko.rebuild builds hello.ko; the status bar goes from building to ok', { timeout: BUILD_MS + 10_000 }, async () => {
    const res = (await conn.sendRequest(ExecuteCommandRequest.type, { command: 'rustko.rebuild', arguments: [libUri] })) as { modules: number };
    assert.deepEqual(res, { modules: 1 });
    await until(30_000, 'the build to begin ($/progress "rustko: building ...")', () => client.sawBuilding);
    await until(BUILD_MS, 'the build to end', () => status.build !== 'building');
    assert.equal(status.build, 'ok', `build state ${status.build}: ${status.lastBuild}; server log tail:\n${stderr.slice(-15).join('\n')}`);
    const errors = [...published].flatMap(([uri, ds]) =>
      ds.filter((d) => (d.severity ?? 1) === 1).map((d) => `${uri}:${d.range.start.line + 1}: [${d.source}] ${JSON.stringify(d.message).slice(0, 300)}`),
    );
    assert.match(status.view().text, /^\$\(check\) rustko( [^:]+)?: ok$/, `errors after the build:\n${errors.join('\n')}`);
    assert.ok(fs.existsSync(path.join(module, 'hello.ko')), 'hello.ko next to the Makefile');
  });

  test('rustko.run boots hello.ko in a VM: the kernel log lines arrive as log messages, the run item shows PASS', { timeout: RUN_MS + 10_000 }, async (t) => {
    const before = logged.length;
    const shownBefore = shown.length;
    const res = (await conn.sendRequest(ExecuteCommandRequest.type, { command: 'rustko.run', arguments: [libUri] })) as { modules: number };
    assert.deepEqual(res, { modules: 1 });
    await until(30_000, 'the run to begin ($/progress "rustko: running ...")', () => status.run === 'running');
    assert.match(status.runView().text, /^\$\(sync~spin\) /);
    await until(RUN_MS, 'the run to end', () => status.run !== 'running');
    // The verdict (or why it could not run) is shown right after the progress ends.
    await until(10_000, 'a message with the verdict', () => shown.length > shownBefore);
    const lines = logged.slice(before).map((m) => m.message);
    for (const l of lines.slice(-12)) {
      t.diagnostic(l);
    }
    assert.equal(status.run, 'passed', `run state ${status.run}: ${status.lastRun}; log lines:\n${lines.slice(-30).join('\n')}\nshown: ${JSON.stringify(shown.slice(shownBefore))}`);
    assert.equal(status.runView().text, '$(pass) Run in VM');
    assert.match(status.runView().tooltip, /Last run: PASS: hello loaded and unloaded on 6\.1\./);
    // The module's own kernel log line, from the guest, and the verdict.
    assert.ok(lines.some((l) => l.includes('hello from rust')), 'the module’s "hello from rust" line');
    assert.ok(lines.some((l) => /^rustko: PASS: hello\b/.test(l)), 'the verdict as a log message');
    assert.ok(shown.some((m) => /^rustko: PASS: hello\b/.test(m.message)), 'the verdict shown to the user');
    assert.match(status.view().text, /^\$\(check\) rustko( [^:]+)?: ok$/, 'a passing run publishes no error');
  });

  test('shutdown and exit end the server with code 0', async () => {
    await conn.sendRequest(ShutdownRequest.type);
    await conn.sendNotification(ExitNotification.type);
    const code = await Promise.race([proc.exited, new Promise((r) => setTimeout(() => r('still running after 5 s'), 5000))]);
    assert.equal(code, 0);
  });
});
