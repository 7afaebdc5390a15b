// Bundles the extension into dist/extension.js (one file: the .vsix ships no
// node_modules) and, with --tests, each test file into out/test/ for
// `node --test`. Type checking is tsc's job (npm run check); esbuild only
// strips types.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const production = process.argv.includes('--production');
const tests = process.argv.includes('--tests');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
};

try {
  await esbuild.build({
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    minify: production,
    sourcemap: !production,
  });
  if (tests) {
    const entries = [];
    for (const dir of ['unit', 'wire']) {
      const d = path.join('test', dir);
      for (const f of fs.existsSync(d) ? fs.readdirSync(d) : []) {
        if (f.endsWith('.test.ts')) {
          entries.push(path.join(d, f));
        }
      }
    }
    fs.rmSync('out', { recursive: true, force: true });
    await esbuild.build({
      ...common,
      entryPoints: entries,
      outdir: 'out/test',
      outbase: 'test',
      // Tests read fixtures and package.json relative to the package.
      packages: 'external',
      sourcemap: 'inline',
    });
  }
} catch (err) {
  // esbuild has already printed the errors with file:line.
  console.error(`esbuild: ${err.message.split('\n')[0]}`);
  process.exit(1);
}
