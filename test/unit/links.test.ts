import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/lsp-client';

/** The user-facing Markdown: the README, the changelog and every page under docs/. */
const PAGES = ['README.md', 'CHANGELOG.md', ...markdownUnder('docs')];
const { repository } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { repository: { url: string } };
/** Links to this repository's files on the web (what SARIF and the marketplace page use) must name files that exist. */
const REPOSITORY_FILE = new RegExp(`^${repository.url.replace(/\.git$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(?:blob|tree)/main/([^#?]*)(#.*)?$`);

function markdownUnder(directory: string): string[] {
  return readdirSync(join(PROJECT_ROOT, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return markdownUnder(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/** The links of a page, outside code blocks and code spans: `[text](target)`. */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
}

/** GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces as hyphens. */
function anchorsOf(markdown: string): Set<string> {
  const headings = markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm);
  return new Set(
    [...headings].map(([, heading]) =>
      heading!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
}

/** Why a link does not resolve, or undefined when it does. */
function brokenLink(page: string, target: string): string | undefined {
  const inRepository = REPOSITORY_FILE.exec(target);
  if (/^(https?|mailto):/.test(target) && !inRepository) return undefined;
  const [path = '', anchor] = inRepository ? [inRepository[1]!, inRepository[2]?.slice(1)] : target.split('#', 2);
  const file = inRepository ? join(PROJECT_ROOT, path) : path === '' ? join(PROJECT_ROOT, page) : join(PROJECT_ROOT, dirname(page), decodeURIComponent(path));
  if (!existsSync(file)) return `${target}: no file ${relative(PROJECT_ROOT, file)}`;
  if (anchor === undefined || statSync(file).isDirectory() || !file.endsWith('.md')) return undefined;
  return anchorsOf(readFileSync(file, 'utf8')).has(anchor) ? undefined : `${target}: ${relative(PROJECT_ROOT, file)} has no heading #${anchor}`;
}

describe('links in the README and docs', () => {
  it('covers the pages users read', () => {
    expect(PAGES).toEqual(expect.arrayContaining(['README.md', join('docs', 'cli.md'), join('docs', 'ci.md'), join('docs', 'rules', 'README.md')]));
  });

  it.each(PAGES)('every link in %s resolves: files exist, anchors name a heading', (page) => {
    const markdown = readFileSync(join(PROJECT_ROOT, page), 'utf8');
    const broken = linksOf(markdown).flatMap((target) => brokenLink(page, target) ?? []);
    expect(broken).toEqual([]);
  });

  it('finds a broken file link and a broken anchor', () => {
    expect(brokenLink('README.md', 'docs/no-such-page.md')).toContain('no file docs/no-such-page.md');
    expect(brokenLink('README.md', 'docs/cli.md#no-such-heading')).toContain('has no heading #no-such-heading');
    expect(brokenLink('README.md', `${repository.url.replace(/\.git$/, '')}/blob/main/docs/rules/missing.md`)).toContain('no file docs/rules/missing.md');
    expect(brokenLink('docs/cli.md', 'configuration.md#on-by-default-and-why')).toBeUndefined();
  });
});

describe('the README', () => {
  it('stays a page users read: under 250 lines', () => {
    expect(readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThan(250);
  });

  it("keeps the test command the one .ci/run calls", () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/^npm ci && npm run example +#/m);
    expect(readme).toMatch(/^npm test +#/m);
    expect(readFileSync(join(PROJECT_ROOT, '.ci', 'run'), 'utf8')).toMatch(/^npm test$/m);
  });
});
