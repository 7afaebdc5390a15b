import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { configurationChange, DEFAULTS, expandPath, ExtensionSettings, Getter, needsRestart, readSettings, serverSettings } from '../../src/lib/settings';

/** A getter over a plain object, as vscode.WorkspaceConfiguration.get behaves: the fallback when unset. */
function getter(values: Record<string, unknown>): Getter {
  return <T>(key: string, fallback: T) => (key in values ? (values[key] as T) : fallback);
}

describe('readSettings', () => {
  test('defaults when nothing is set', () => {
    assert.deepEqual(readSettings(getter({})), DEFAULTS);
  });
  test('hand-edited values of the wrong type fall back instead of reaching the server', () => {
    const s = readSettings(
      getter({
        'server.path': 42,
        kernelDir: ['x'],
        buildOnSave: 'no',
        helpers: ['kmalloc', 3, ' ', ' kfree '],
        extraHeaders: 'linux/fs.h',
        'trace.server': 'loud',
      }),
    );
    assert.deepEqual(s, { ...DEFAULTS, helpers: ['kmalloc', 'kfree'], buildOnSave: true });
  });
  test('only false turns build on save off', () => {
    assert.equal(readSettings(getter({ buildOnSave: false })).buildOnSave, false);
    assert.equal(readSettings(getter({ buildOnSave: 0 })).buildOnSave, true);
  });
});

describe('expandPath', () => {
  const cases: [string, string | undefined, string][] = [
    ['', '/w', ''],
    ['~', '/w', '/home/u'],
    ['~/src/linux', '/w', '/home/u/src/linux'],
    ['${workspaceFolder}/kernel', '/w', '/w/kernel'],
    ['kernel', '/w', '/w/kernel'],
    ['/usr/src/linux-headers-x/', '/w', '/usr/src/linux-headers-x/'],
    ['/a/../b', undefined, '/b'],
    ['rel', undefined, 'rel'],
  ];
  for (const [input, folder, want] of cases) {
    test(`${JSON.stringify(input)} in ${folder} → ${JSON.stringify(want)}`, () => {
      assert.equal(expandPath(input, folder, '/home/u'), want);
    });
  }
});

describe('serverSettings: only the keys server/config.go knows', () => {
  const full: ExtensionSettings = {
    serverPath: '/opt/rustko-lsp',
    kernelDir: '~/linux',
    rustRoot: '/usr',
    buildOnSave: true,
    extraHeaders: ['linux/fs.h'],
    helpers: ['kmalloc'],
    trace: 'verbose',
  };
  const cases: { name: string; s: ExtensionSettings; trusted: boolean; want: object }[] = [
    { name: 'defaults', s: DEFAULTS, trusted: true, want: { buildOnSave: true, trusted: true } },
    {
      name: 'everything set; server.path and trace stay in the client',
      s: full,
      trusted: true,
      want: { buildOnSave: true, trusted: true, kernelDir: `${process.env.HOME}/linux`, rustRoot: '/usr', helpers: ['kmalloc'], extraHeaders: ['linux/fs.h'] },
    },
    { name: 'build on save off', s: { ...DEFAULTS, buildOnSave: false }, trusted: true, want: { buildOnSave: false, trusted: true } },
    { name: 'untrusted: the server is told, and build on save is forced off', s: DEFAULTS, trusted: false, want: { buildOnSave: false, trusted: false } },
    {
      name: 'untrusted with everything set: the user-level values still go',
      s: full,
      trusted: false,
      want: { buildOnSave: false, trusted: false, kernelDir: `${process.env.HOME}/linux`, rustRoot: '/usr', helpers: ['kmalloc'], extraHeaders: ['linux/fs.h'] },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = serverSettings(c.s, '/w', c.trusted);
      assert.deepEqual(got, c.want);
      for (const k of Object.keys(got)) {
        assert.ok(['kernelDir', 'rustRoot', 'buildOnSave', 'trusted', 'helpers', 'extraHeaders'].includes(k), `${k} is not a key server/config.go knows`);
      }
    });
  }
  test('didChangeConfiguration wraps them under "rustko"', () => {
    assert.deepEqual(configurationChange({ buildOnSave: false, trusted: false }), { settings: { rustko: { buildOnSave: false, trusted: false } } });
  });
  test('the keys are exactly those server/config.go knows', () => {
    // knownSettings in the server: a key missing there would be logged and dropped.
    const goSrc = fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', '..', 'server', 'config.go'), 'utf8');
    const known = /var knownSettings = \[\]string\{([^}]*)\}/.exec(goSrc);
    assert.ok(known, 'knownSettings not found in server/config.go');
    const keys = [...known[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]).sort();
    assert.deepEqual(Object.keys(serverSettings(full, '/w', true)).sort(), keys);
  });
});

describe('needsRestart', () => {
  test('a new binary needs a new process', () => {
    assert.equal(needsRestart(DEFAULTS, { ...DEFAULTS, serverPath: '/x' }), true);
  });
  test('other settings go over didChangeConfiguration', () => {
    assert.equal(needsRestart(DEFAULTS, { ...DEFAULTS, kernelDir: '/k', helpers: ['a'], trace: 'verbose' }), false);
  });
});
