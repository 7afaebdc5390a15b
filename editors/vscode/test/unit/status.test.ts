import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Message, StatusModel } from '../../src/lib/status';

const progress = (token: string | number, value: object): Message => ({ method: '$/progress', params: { token, value } });
const diags = (uri: string, ...severities: (number | undefined)[]): Message => ({
  method: 'textDocument/publishDiagnostics',
  params: { uri, diagnostics: severities.map((severity) => ({ range: {}, message: 'm', severity })) },
});

function run(msgs: Message[], setup?: (m: StatusModel) => void): StatusModel {
  const m = new StatusModel();
  m.server = 'running';
  setup?.(m);
  for (const msg of msgs) {
    m.observe(msg);
  }
  return m;
}

describe('status text from the server’s messages', () => {
  const cases: { name: string; msgs: Message[]; text: string; level: string; setup?: (m: StatusModel) => void }[] = [
    { name: 'nothing yet', msgs: [], text: '$(check) rustko: ok', level: 'ok' },
    {
      name: 'kernel release from rustko/status',
      msgs: [{ method: 'rustko/status', params: { root: '/m', kernelRelease: '6.1.0-56-amd64' } }],
      text: '$(check) rustko 6.1.0-56-amd64: ok',
      level: 'ok',
    },
    {
      name: 'building, with the stage the server reports',
      msgs: [progress('rustko/1', { kind: 'begin', title: 'rustko: building hello' }), progress('rustko/1', { kind: 'report', message: 'kbuild' })],
      text: '$(sync~spin) rustko: building (kbuild)',
      level: 'busy',
    },
    {
      name: 'build done, no errors',
      msgs: [progress('rustko/1', { kind: 'begin', title: 'rustko: building hello' }), progress('rustko/1', { kind: 'end', message: '0 findings' })],
      text: '$(check) rustko: ok',
      level: 'ok',
    },
    {
      name: 'errors counted over files; warnings and hints are not errors; a file cleared drops out',
      msgs: [diags('file:///m/src/lib.rs', 1, 1, 2, 4), diags('file:///m/config.mk', undefined), diags('file:///m/x.rs', 1), diags('file:///m/x.rs')],
      text: '$(error) rustko: 3 errors',
      level: 'error',
    },
    {
      name: 'one error',
      msgs: [diags('file:///m/src/lib.rs', 1)],
      text: '$(error) rustko: 1 error',
      level: 'error',
    },
    {
      name: 'the pipeline could not run',
      msgs: [progress(7, { kind: 'begin', title: 'rustko: building hello' }), progress(7, { kind: 'end', message: 'failed' })],
      text: '$(warning) rustko: build could not run',
      level: 'warning',
    },
    {
      name: 'a superseded build keeps building until the newer one ends',
      msgs: [
        progress('rustko/1', { kind: 'begin', title: 'rustko: building hello' }),
        progress('rustko/2', { kind: 'begin', title: 'rustko: building hello' }),
        progress('rustko/1', { kind: 'end', message: 'cancelled: a newer save superseded this build' }),
      ],
      text: '$(sync~spin) rustko: building',
      level: 'busy',
    },
    {
      name: 'a cancelled build leaves the last finished state',
      msgs: [
        progress('a', { kind: 'begin', title: 'rustko: building hello' }),
        progress('a', { kind: 'end', message: 'failed' }),
        progress('b', { kind: 'begin', title: 'rustko: building hello' }),
        progress('b', { kind: 'end', message: 'cancelled: a newer save superseded this build' }),
      ],
      text: '$(warning) rustko: build could not run',
      level: 'warning',
    },
    {
      name: 'progress of other work is not a build',
      msgs: [progress('x', { kind: 'begin', title: 'rustko: indexing' }), progress('x', { kind: 'end', message: 'failed' })],
      text: '$(check) rustko: ok',
      level: 'ok',
    },
    {
      name: 'binding generation on load',
      msgs: [progress('rustko/1', { kind: 'begin', title: 'rustko: bindings for hello' })],
      text: '$(sync~spin) rustko: generating bindings',
      level: 'busy',
    },
    {
      name: 'binding generation done; its end is not a build result',
      msgs: [progress('rustko/1', { kind: 'begin', title: 'rustko: bindings for hello' }), progress('rustko/1', { kind: 'end', message: 'failed' })],
      text: '$(check) rustko: ok',
      level: 'ok',
    },
    {
      name: 'no kernel tree',
      msgs: [{ method: 'rustko/status', params: { root: '/m', kernelError: 'no /usr/src/linux-headers-*' } }],
      text: '$(warning) rustko: no kernel tree',
      level: 'warning',
    },
    {
      name: 'restricted mode says so',
      msgs: [],
      setup: (m) => (m.trustNote = 'analysis only (restricted mode)'),
      text: '$(shield) rustko: ok · analysis only (restricted mode)',
      level: 'ok',
    },
    { name: 'binary missing', msgs: [], setup: (m) => (m.server = 'missing'), text: '$(error) rustko: server not found', level: 'error' },
    { name: 'starting', msgs: [], setup: (m) => (m.server = 'starting'), text: '$(loading~spin) rustko: starting', level: 'busy' },
    {
      name: 'malformed messages change nothing',
      msgs: [
        { method: '$/progress', params: null },
        { method: '$/progress', params: { token: {}, value: { kind: 'begin', title: 'rustko: building x' } } },
        { method: 'textDocument/publishDiagnostics', params: { uri: 1, diagnostics: [] } },
        { method: 'rustko/status', params: [] },
        { method: 'window/logMessage', params: { type: 1, message: 'x' } },
        {},
      ],
      text: '$(check) rustko: ok',
      level: 'ok',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const v = run(c.msgs, c.setup).view();
      assert.equal(v.text, c.text);
      assert.equal(v.level, c.level);
    });
  }
});

describe('tooltip', () => {
  test('names the kernel, the last build and the counts', () => {
    const m = run([
      { method: 'rustko/status', params: { root: '/m', kernelRelease: '6.1.0-56-amd64' } },
      progress(1, { kind: 'begin', title: 'rustko: building hello' }),
      progress(1, { kind: 'end', message: '2 findings' }),
      diags('file:///m/src/lib.rs', 1, 2),
    ]);
    const t = m.view().tooltip;
    assert.match(t, /Kernel: 6\.1\.0-56-amd64/);
    assert.match(t, /Last build: 2 findings/);
    assert.match(t, /1 error, 1 warning/);
    assert.match(t, /Click to show the rustko output/);
  });
  test('two modules on two kernels show both releases', () => {
    const m = run([
      { method: 'rustko/status', params: { root: '/a', kernelRelease: '6.1.0-56-amd64' } },
      { method: 'rustko/status', params: { root: '/b', kernelRelease: '6.12.0-1-amd64' } },
    ]);
    assert.equal(m.kernelRelease, '6.1.0-56-amd64, 6.12.0-1-amd64');
  });
});

describe('the run item from the server’s rustko.run progress', () => {
  const begin = (t: string | number) => progress(t, { kind: 'begin', title: 'rustko: running hello in a VM' });
  const end = (t: string | number, message: string) => progress(t, { kind: 'end', message });
  const cases: { name: string; msgs: Message[]; text: string; level: string; tooltip?: RegExp; setup?: (m: StatusModel) => void; visible?: boolean }[] = [
    { name: 'no run yet: the action', msgs: [], text: '$(play) Run in VM', level: 'ok', tooltip: /Click to run it\.$/ },
    {
      name: 'running, with the stage in the tooltip only',
      msgs: [begin('rustko/3'), progress('rustko/3', { kind: 'report', message: 'vm: [    1.234] hello: loading out-of-tree module taints kernel.' })],
      text: '$(sync~spin) Run in VM',
      level: 'busy',
      tooltip: /Now: vm: \[    1\.234\] hello: loading/,
    },
    {
      name: 'passed',
      msgs: [begin(3), end(3, 'rustko: PASS: hello loaded and unloaded on 6.1.0-57-amd64 (kvm)')],
      text: '$(pass) Run in VM',
      level: 'ok',
      tooltip: /Last run: PASS: hello loaded and unloaded on 6\.1\.0-57-amd64 \(kvm\)/,
    },
    {
      name: 'the module oopsed',
      msgs: [begin(3), end(3, 'rustko: FAIL: hello on 6.1.0-57-amd64: BUG: kernel NULL pointer dereference')],
      text: '$(error) Run in VM',
      level: 'error',
      tooltip: /Last run: FAIL: hello on 6\.1\.0-57-amd64: BUG: kernel NULL pointer dereference/,
    },
    {
      name: 'the module did not build',
      msgs: [begin(3), end(3, 'rustko: hello did not build: 1 error')],
      text: '$(error) Run in VM',
      level: 'error',
      tooltip: /Last run: hello did not build/,
    },
    { name: 'no QEMU or no kernel image', msgs: [begin(3), end(3, 'could not run')], text: '$(warning) Run in VM', level: 'warning', tooltip: /could not run \(see the rustko output\)/ },
    { name: 'the build could not run', msgs: [begin(3), end(3, 'build failed')], text: '$(warning) Run in VM', level: 'warning' },
    {
      name: 'a run superseded by a newer one: still running, then the newer verdict',
      msgs: [begin('a'), begin('b'), end('a', 'cancelled')],
      text: '$(sync~spin) Run in VM',
      level: 'busy',
    },
    {
      name: 'a cancelled run leaves the last finished verdict',
      msgs: [begin('a'), end('a', 'rustko: FAIL: hello on 6.1: WARNING at src/lib.rs:9'), begin('b'), end('b', 'cancelled')],
      text: '$(error) Run in VM',
      level: 'error',
    },
    {
      name: 'a run is not a build: the main item keeps the build state',
      msgs: [begin('a'), progress('a', { kind: 'report', message: 'kbuild' })],
      text: '$(sync~spin) Run in VM',
      level: 'busy',
    },
    { name: 'hidden in Restricted Mode (the server refuses runs)', msgs: [], setup: (m) => (m.trustNote = 'analysis only (restricted mode)'), text: '$(play) Run in VM', level: 'ok', visible: false },
    { name: 'hidden while no server runs', msgs: [], setup: (m) => (m.server = 'missing'), text: '$(play) Run in VM', level: 'ok', visible: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const m = run(c.msgs, c.setup);
      const v = m.runView();
      assert.equal(v.text, c.text);
      assert.equal(v.level, c.level);
      assert.equal(v.visible, c.visible ?? true);
      if (c.tooltip) {
        assert.match(v.tooltip, c.tooltip);
      }
      if (c.name.startsWith('a run is not a build')) {
        assert.equal(m.build, 'none');
        assert.equal(m.view().text, '$(check) rustko: ok');
      }
    });
  }
});

test('reset forgets the previous process', () => {
  const m = run([diags('file:///x.rs', 1), progress(1, { kind: 'begin', title: 'rustko: building x' })]);
  m.observe(progress(2, { kind: 'begin', title: 'rustko: running x in a VM' }));
  m.reset();
  assert.equal(m.errors, 0);
  assert.equal(m.view().text, '$(check) rustko: ok');
  assert.equal(m.run, 'none');
  assert.equal(m.runView().text, '$(play) Run in VM');
});
