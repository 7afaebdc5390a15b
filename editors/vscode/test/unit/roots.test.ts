import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { activationEvents, documentSelector, findModuleRoots, globEscape, isMarkerFile, isModuleRoot, rootAbove } from '../../src/lib/roots';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rustko-roots-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Makes a tree from "dir/file" paths; a path ending in / is an empty folder. */
function tree(name: string, files: string[]): string {
  const root = path.join(tmp, name);
  for (const f of files) {
    const p = path.join(root, f);
    if (f.endsWith('/')) {
      fs.mkdirSync(p, { recursive: true });
    } else {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, '');
    }
  }
  fs.mkdirSync(root, { recursive: true });
  return root;
}

describe('isModuleRoot: a Makefile or Kbuild together with Cargo.toml or config.mk', () => {
  const cases: { files: string[]; want: boolean }[] = [
    { files: ['Makefile', 'config.mk'], want: true },
    { files: ['Makefile', 'Cargo.toml'], want: true },
    { files: ['Kbuild', 'config.mk'], want: true },
    { files: ['Kbuild', 'Cargo.toml', 'config.mk', 'Makefile'], want: true },
    { files: ['Makefile'], want: false },
    { files: ['Cargo.toml'], want: false },
    { files: ['config.mk', 'Cargo.toml'], want: false },
    { files: ['Makefile/', 'config.mk'], want: false }, // a folder named Makefile is no makefile
    { files: ['makefile', 'config.mk'], want: false }, // the server's rule is case-sensitive
    { files: [], want: false },
  ];
  cases.forEach((c, i) => {
    test(`${c.files.join(' + ') || 'empty'} → ${c.want}`, () => {
      assert.equal(isModuleRoot(tree(`root${i}`, c.files)), c.want);
    });
  });
});

describe('findModuleRoots', () => {
  test('the folder itself', () => {
    const r = tree('self', ['Makefile', 'config.mk', 'src/lib.rs']);
    assert.deepEqual(findModuleRoots(r), [r]);
  });
  test('a folder inside a module finds the module above it', () => {
    const r = tree('inside', ['Makefile', 'Cargo.toml', 'src/lib.rs']);
    assert.deepEqual(findModuleRoots(path.join(r, 'src')), [r]);
  });
  test('modules one and two levels below, sorted, skipping hidden folders and build output', () => {
    const r = tree('repo', [
      'go.mod',
      'examples/hello/Makefile',
      'examples/hello/config.mk',
      'examples/misc/Kbuild',
      'examples/misc/Cargo.toml',
      'mod/Makefile',
      'mod/config.mk',
      '.git/x/Makefile',
      '.git/x/config.mk',
      'build/m/Makefile',
      'build/m/config.mk',
      'node_modules/m/Makefile',
      'node_modules/m/config.mk',
      'a/b/c/Makefile',
      'a/b/c/config.mk', // three levels down: too deep, as for the server
    ]);
    assert.deepEqual(findModuleRoots(r), [path.join(r, 'examples/hello'), path.join(r, 'examples/misc'), path.join(r, 'mod')]);
  });
  test('no module', () => {
    assert.deepEqual(findModuleRoots(tree('none', ['Cargo.toml', 'src/main.rs'])), []);
  });
  test('a missing folder is no module, not an error', () => {
    assert.deepEqual(findModuleRoots(path.join(tmp, 'does-not-exist')), []);
    assert.equal(rootAbove(path.join(tmp, 'does-not-exist', 'x')), undefined);
  });
});

test('activationEvents cover config.mk and Cargo.toml down to the search depth', () => {
  assert.deepEqual(activationEvents(), [
    'workspaceContains:Cargo.toml',
    'workspaceContains:config.mk',
    'workspaceContains:*/Cargo.toml',
    'workspaceContains:*/config.mk',
    'workspaceContains:*/*/Cargo.toml',
    'workspaceContains:*/*/config.mk',
  ]);
});

describe('isMarkerFile', () => {
  for (const [f, want] of [
    ['/w/Makefile', true],
    ['/w/Kbuild', true],
    ['/w/config.mk', true],
    ['/w/Cargo.toml', true],
    ['/w/src/lib.rs', false],
    ['/w/Makefile.bak', false],
  ] as const) {
    test(`${f} → ${want}`, () => assert.equal(isMarkerFile(f), want));
  }
});

describe('documentSelector', () => {
  test('Rust files on disk, and each module’s config files and C shim', () => {
    assert.deepEqual(documentSelector(['/home/u/hello']), [
      { scheme: 'file', language: 'rust' },
      { scheme: 'file', pattern: '/home/u/hello/{Makefile,Kbuild,config.mk,Cargo.toml,*.json}' },
      { scheme: 'file', pattern: '/home/u/hello/src/**/*.{c,h}' },
    ]);
  });
  test('every filter is limited to file: documents', () => {
    for (const f of documentSelector(['/a', '/b'])) {
      assert.equal(f.scheme, 'file');
    }
  });
  test('glob characters in a folder name are escaped', () => {
    assert.equal(globEscape('/w/mod[1]{x}*?!'), '/w/mod[[]1[]][{]x[}][*][?][!]');
  });
});
