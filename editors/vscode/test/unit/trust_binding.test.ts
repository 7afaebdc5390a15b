import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bindingDocument, identifierAt } from '../../src/lib/binding';
import { TRUSTED_COMMANDS, trustGranted, trustPolicy } from '../../src/lib/trust';

describe('trustPolicy', () => {
  test('trusted: builds and workspace binaries', () => {
    assert.deepEqual(trustPolicy(true), { builds: true, workspaceBinary: true });
  });
  test('untrusted: analysis only, and it says so', () => {
    const p = trustPolicy(false);
    assert.equal(p.builds, false);
    assert.equal(p.workspaceBinary, false);
    assert.match(p.note!, /analysis only/);
    assert.match(p.refusal!, /Trust this workspace/);
  });
});

test('the server commands that build, including the VM run, are held back; showing a binding is not', () => {
  assert.deepEqual([...TRUSTED_COMMANDS].sort(), ['rustko.rebuild', 'rustko.regenerateBindings', 'rustko.run']);
});

describe('trustGranted', () => {
  const cases: { name: string; running: string | undefined; next: string | undefined; restart: boolean; why: RegExp }[] = [
    { name: 'same binary: tell the running server', running: '/usr/bin/rustko-lsp', next: '/usr/bin/rustko-lsp', restart: false, why: /reloads the modules with make/ },
    { name: 'no server running: start one', running: undefined, next: '/usr/bin/rustko-lsp', restart: true, why: /starting the server/ },
    { name: 'nothing found before or now: start (it says what is missing)', running: undefined, next: undefined, restart: true, why: /starting/ },
    { name: 'the workspace checkout’s binary may be used now', running: '/usr/bin/rustko-lsp', next: '/w/bin/rustko-lsp', restart: true, why: /\/w\/bin\/rustko-lsp instead of \/usr\/bin\/rustko-lsp/ },
    { name: 'a workspace server.path that does not resolve', running: '/usr/bin/rustko-lsp', next: undefined, restart: true, why: /looked for again/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = trustGranted(c.running, c.next);
      assert.equal(got.restart, c.restart);
      assert.match(got.why, c.why);
    });
  }
});

describe('identifierAt', () => {
  const line = '    unsafe { bindings::_printk(c"hello\\n".as_ptr()) }; let r#type = 0x10;';
  const at = (s: string, k = 0) => line.indexOf(s) + k;
  const cases: [number, string | undefined][] = [
    [at('_printk'), '_printk'],
    [at('_printk', 3), '_printk'],
    [at('_printk', '_printk'.length), '_printk'], // just after the name
    [at('bindings'), 'bindings'],
    [at('::'), 'bindings'],
    [at('::', 1), undefined],
    [at('r#type'), 'type'],
    [at('r#type', 3), 'type'],
    [at('0x10'), undefined],
    [0, undefined],
    [line.length + 5, undefined],
  ];
  for (const [col, want] of cases) {
    test(`column ${col} → ${want}`, () => assert.equal(identifierAt(line, col), want));
  }
  test('columns are UTF-16 units, as VS Code gives them', () => {
    const l = 'let s = "é😀"; kmalloc(1)';
    assert.equal(identifierAt(l, l.indexOf('kmalloc') + 2), 'kmalloc');
  });
});

describe('bindingDocument', () => {
  test('both sides and the item', () => {
    const text = bindingDocument({
      name: 'file_operations',
      kind: 'struct',
      rust: 'file_operations',
      text: '#[repr(C)]\npub struct file_operations {\n}\n',
      c: { uri: 'file:///usr/src/linux-headers-6.1.0-56-common/include/linux/fs.h', range: { start: { line: 2092, character: 7 }, end: { line: 2092, character: 22 } } },
      location: { uri: 'file:///m/src/bindings.rs', range: { start: { line: 9, character: 11 }, end: { line: 9, character: 26 } } },
    });
    assert.equal(
      text,
      [
        '// struct file_operations',
        '// C declaration: /usr/src/linux-headers-6.1.0-56-common/include/linux/fs.h:2093',
        '// Rust item: bindings::file_operations (/m/src/bindings.rs:10)',
        '',
        '#[repr(C)]\npub struct file_operations {\n}',
        '',
      ].join('\n'),
    );
  });
  test('an item with no Rust side says why', () => {
    const text = bindingDocument({ name: 'kmalloc', kind: 'inline', text: 'no Rust item: static inline, add it to KERNEL_HELPERS' });
    assert.match(text, /^\/\/ inline kmalloc\n\nno Rust item: static inline/);
  });
});
