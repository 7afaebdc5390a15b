import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { candidates, checkoutAbove, findServer, isExecutable, missingMessage } from '../../src/lib/binary';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rustko-bin-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function file(rel: string, mode = 0o755, text = '#!/bin/sh\n'): string {
  const p = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  fs.chmodSync(p, mode);
  return p;
}

// A checkout of rustko-lsp with an example module inside, as a developer has it.
file('checkout/go.mod', 0o644, 'module github.com/rustko/rustko-lsp\n\ngo 1.26\n');
const built = file('checkout/bin/rustko-lsp');
fs.mkdirSync(path.join(tmp, 'checkout/examples/hello'), { recursive: true });
// Another Go module is not a checkout.
file('other/go.mod', 0o644, 'module github.com/rustko/rustko-lsp-fork\n');
const onPath = file('pathdir/rustko-lsp');
file('notexec/rustko-lsp', 0o644);
const gopathBin = file('gopath/bin/rustko-lsp');

describe('checkoutAbove', () => {
  test('finds the checkout from a module inside it', () => {
    assert.equal(checkoutAbove(path.join(tmp, 'checkout/examples/hello')), path.join(tmp, 'checkout'));
  });
  test('another module path is not rustko-lsp', () => {
    assert.equal(checkoutAbove(path.join(tmp, 'other')), undefined);
  });
});

describe('isExecutable', () => {
  for (const [p, want] of [
    [onPath, true],
    [path.join(tmp, 'notexec/rustko-lsp'), false],
    [path.join(tmp, 'pathdir'), false],
    [path.join(tmp, 'missing'), false],
  ] as const) {
    test(`${path.relative(tmp, p)} → ${want}`, () => assert.equal(isExecutable(p), want));
  }
});

describe('findServer order', () => {
  const env = (o: NodeJS.ProcessEnv) => ({ PATH: '', ...o });
  const cases: { name: string; input: Parameters<typeof findServer>[0]; want: string | undefined }[] = [
    {
      name: 'the checkout’s make build output first, when trusted',
      input: { configured: '', workspaceFolders: [path.join(tmp, 'checkout/examples/hello')], workspaceBinary: true, env: env({ PATH: path.join(tmp, 'pathdir') }) },
      want: built,
    },
    {
      name: 'untrusted: no binary from inside the workspace',
      input: { configured: '', workspaceFolders: [path.join(tmp, 'checkout/examples/hello')], workspaceBinary: false, env: env({ PATH: path.join(tmp, 'pathdir') }) },
      want: onPath,
    },
    {
      name: 'PATH skips non-executable files and relative entries',
      input: { configured: '', workspaceFolders: [], workspaceBinary: true, env: env({ PATH: ['bin', path.join(tmp, 'notexec'), path.join(tmp, 'pathdir')].join(':') }) },
      want: onPath,
    },
    {
      name: 'GOPATH/bin last',
      input: { configured: '', workspaceFolders: [], workspaceBinary: true, env: env({ GOPATH: path.join(tmp, 'gopath') }) },
      want: gopathBin,
    },
    {
      name: 'a configured path is the only candidate, even when PATH has one',
      input: { configured: path.join(tmp, 'notexec/rustko-lsp'), workspaceFolders: [], workspaceBinary: true, env: env({ PATH: path.join(tmp, 'pathdir') }) },
      want: undefined,
    },
    {
      name: 'nothing anywhere',
      input: { configured: '', workspaceFolders: [], workspaceBinary: true, env: env({}), home: path.join(tmp, 'nohome') },
      want: undefined,
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(findServer(c.input).found?.path, c.want));
  }
  test('~/go/bin when GOPATH is unset', () => {
    const list = candidates({ configured: '', workspaceFolders: [], workspaceBinary: true, env: {}, home: '/home/u' });
    assert.deepEqual(list.map((c) => c.path), ['/home/u/go/bin/rustko-lsp']);
  });
});

describe('missingMessage', () => {
  test('gives commands that work (go install @latest cannot, go.mod has a replace)', () => {
    const input = { configured: '', workspaceFolders: [], workspaceBinary: true, env: { PATH: '/usr/bin' }, home: '/home/u' };
    const msg = missingMessage(input, candidates(input));
    assert.match(msg, /make build/);
    assert.match(msg, /go install \.\/cmd\/rustko-lsp/);
    assert.match(msg, /rustko\.server\.path/);
    assert.match(msg, /\/usr\/bin/);
    assert.doesNotMatch(msg, /@latest/);
  });
  test('a configured path that is wrong is named', () => {
    const input = { configured: '/opt/x', workspaceFolders: [], workspaceBinary: true, env: {} };
    assert.match(missingMessage(input, candidates(input)), /rustko\.server\.path is "\/opt\/x", which is not an executable file/);
  });
});
