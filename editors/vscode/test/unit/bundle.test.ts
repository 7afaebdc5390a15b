// The bundle in dist/ is what the .vsix ships: it must load with nothing but
// the `vscode` module from outside (no node_modules in the package) and
// export the two entry points VS Code calls.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { test } from 'node:test';

const bundle = path.resolve(__dirname, '..', '..', '..', 'dist', 'extension.js');

/** A stand-in `vscode` whose every member is a class (the client extends vscode.CompletionItem at load time). */
function standIn(): unknown {
  return new Proxy(class {}, { get: (target, prop) => (prop === 'prototype' ? target.prototype : prop === 'then' ? undefined : standIn()) });
}

test('dist/extension.js loads without node_modules and exports activate/deactivate', () => {
  assert.ok(fs.existsSync(bundle), `${bundle} is missing: run node esbuild.mjs first`);
  const requested: string[] = [];
  const m = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
  const load = m._load;
  m._load = function (req: string, ...rest: unknown[]) {
    requested.push(req);
    // Only vscode may come from outside, and nothing may run at load time.
    return req === 'vscode' ? standIn() : load.call(this, req, ...rest);
  };
  try {
    const ext = require(bundle);
    assert.equal(typeof ext.activate, 'function');
    assert.equal(typeof ext.deactivate, 'function');
  } finally {
    m._load = load;
  }
  const outside = requested.filter((r) => !r.startsWith('node:') && !(Module.builtinModules as string[]).includes(r) && r !== bundle);
  assert.deepEqual([...new Set(outside)], ['vscode']);
});
