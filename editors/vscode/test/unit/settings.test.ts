import assert from 'node:assert/strict';
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
  const cases: { name: string; s: ExtensionSettings; builds: boolean; want: object }[] = [
    { name: 'defaults', s: DEFAULTS, builds: true, want: { buildOnSave: true } },
    {
      name: 'everything set; server.path and trace stay in the client',
      s: full,
      builds: true,
      want: { buildOnSave: true, kernelDir: `${process.env.HOME}/linux`, rustRoot: '/usr', helpers: ['kmalloc'], extraHeaders: ['linux/fs.h'] },
    },
    { name: 'build on save off', s: { ...DEFAULTS, buildOnSave: false }, builds: true, want: { buildOnSave: false } },
    { name: 'untrusted: build on save forced off', s: DEFAULTS, builds: false, want: { buildOnSave: false } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = serverSettings(c.s, '/w', c.builds);
      assert.deepEqual(got, c.want);
      for (const k of Object.keys(got)) {
        assert.ok(['kernelDir', 'rustRoot', 'buildOnSave', 'helpers', 'extraHeaders'].includes(k), `unknown key ${k} would make the server drop all settings`);
      }
    });
  }
  test('didChangeConfiguration wraps them under "rustko"', () => {
    assert.deepEqual(configurationChange({ buildOnSave: false }), { settings: { rustko: { buildOnSave: false } } });
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
