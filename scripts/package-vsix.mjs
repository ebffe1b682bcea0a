// Packages the VS Code extension: node scripts/package-vsix.mjs [--out lockguard.vsix] (npm run package).
// package.json's `files` lists what the npm package ships (the CLI), and vsce would take it for the
// vsix's list too — it refuses it beside .vscodeignore. So the vsix is packaged from a staging copy:
// the built files .vscodeignore selects from, and a manifest without `files`, scripts or dependencies
// (the bundles need none). vsce rewrites the README's relative links to the repository's.
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: 'lockguard.vsix' }, 'skip-build': { type: 'boolean', default: false } } });
const out = resolve(values.out);
/** Everything .vscodeignore may select from; it then picks the files. */
const STAGED = ['.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE', 'lockguard.schema.json', 'images', 'docs', 'snippets', 'syntaxes', 'dist'];

if (!values['skip-build']) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
const stage = await mkdtemp(join(tmpdir(), 'lockguard-vsix-'));
try {
  await Promise.all(STAGED.map((entry) => cp(join(root, entry), join(stage, entry), { recursive: true, filter: (source) => !source.startsWith(join(root, 'dist', 'e2e')) })));
  const { files, scripts, dependencies, devDependencies, ...manifest } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  await writeFile(join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', out], { cwd: stage, stdio: 'inherit' });
} finally {
  await rm(stage, { recursive: true, force: true });
}
