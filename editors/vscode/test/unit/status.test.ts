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

test('reset forgets the previous process', () => {
  const m = run([diags('file:///x.rs', 1), progress(1, { kind: 'begin', title: 'rustko: building x' })]);
  m.reset();
  assert.equal(m.errors, 0);
  assert.equal(m.view().text, '$(check) rustko: ok');
});
