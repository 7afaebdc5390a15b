// package.json is the extension's contract with VS Code; these checks keep it
// in step with the code that relies on it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { activationEvents } from '../../src/lib/roots';
import { DEFAULTS } from '../../src/lib/settings';
import { RESTRICTED_SETTINGS, TRUSTED_COMMANDS } from '../../src/lib/trust';

// Run from the bundle in out/test/unit/, three levels below the package.
const pkgDir = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));

test('activates on module markers only, never on every Rust file', () => {
  assert.deepEqual(pkg.activationEvents, activationEvents());
  assert.ok(!pkg.activationEvents.includes('onLanguage:rust'));
});

test('declares limited support for untrusted workspaces and restricts the program-naming settings', () => {
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, RESTRICTED_SETTINGS);
});

test('every setting the code reads is declared, with the code’s default', () => {
  const props = pkg.contributes.configuration.properties;
  const keyOf: Record<keyof typeof DEFAULTS, string> = {
    serverPath: 'rustko.server.path',
    kernelDir: 'rustko.kernelDir',
    rustRoot: 'rustko.rustRoot',
    buildOnSave: 'rustko.buildOnSave',
    extraHeaders: 'rustko.extraHeaders',
    helpers: 'rustko.helpers',
    trace: 'rustko.trace.server',
  };
  for (const [field, key] of Object.entries(keyOf)) {
    assert.ok(props[key], `${key} is not declared`);
    assert.deepEqual(props[key].default, DEFAULTS[field as keyof typeof DEFAULTS], `${key} default`);
  }
  assert.deepEqual(Object.keys(props).sort(), Object.values(keyOf).sort());
});

test('every contributed command is registered by the extension, and the reverse', () => {
  const src = fs.readFileSync(path.join(pkgDir, 'src', 'commands.ts'), 'utf8');
  const registered = [...src.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
  const declared = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual(declared, registered);
});

test('palette commands that call a build or run command of the server are enabled only in a trusted workspace', () => {
  const src = fs.readFileSync(path.join(pkgDir, 'src', 'commands.ts'), 'utf8');
  const calls = [...src.matchAll(/registerCommand\('([^']+)', serverCommand\('([^']+)'/g)].map((m) => ({ palette: m[1], server: m[2] }));
  assert.deepEqual(
    calls.map((c) => c.server).sort(),
    [...TRUSTED_COMMANDS].sort(),
    'each server command held back in Restricted Mode has a palette entry',
  );
  const byName = new Map(pkg.contributes.commands.map((c: { command: string; enablement?: string }) => [c.command, c]));
  for (const c of calls) {
    const decl = byName.get(c.palette) as { enablement?: string } | undefined;
    assert.ok(decl, `${c.palette} is not declared`);
    assert.equal(decl.enablement, 'isWorkspaceTrusted', `${c.palette} (calls ${c.server})`);
  }
  const run = byName.get('rustko.runModule') as { title?: string } | undefined;
  assert.match(run?.title ?? '', /Run the Module in a VM/);
});

test('the status bar run action runs the palette command', () => {
  const src = fs.readFileSync(path.join(pkgDir, 'src', 'statusBar.ts'), 'utf8');
  assert.match(src, /runItem\.command = 'rustko\.runModule'/);
  assert.ok(pkg.contributes.commands.some((c: { command: string }) => c.command === 'rustko.runModule'));
});

test('engines and the language client agree', () => {
  assert.equal(pkg.engines.vscode, '^1.91.0');
  assert.equal(pkg.dependencies['vscode-languageclient'], '11.0.0');
  assert.match(pkg.devDependencies['@types/vscode'], /^~1\.91\./);
});
