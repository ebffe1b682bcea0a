import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { Log, Region } from 'sarif';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../server/src/engine/findings';
import type { Severity } from '../../server/src/engine/rules/rule';
import { escapeData, escapeProperty, formatGithub } from '../../server/src/cli/format-github';
import { formatGitlab } from '../../server/src/cli/format-gitlab';
import { fileReport } from '../../server/src/cli/report';
import { PROJECT_ROOT } from '../helpers/lsp-client';
import { lockguard, scratchDirectory } from './run-cli';

// The official SARIF 2.1.0 schema (OASIS sarif-spec, Schemata/sarif-schema-2.1.0.json, JSON Schema draft-07),
// kept as a fixture: no small npm package ships it.
const sarifSchema = (): object => JSON.parse(readFileSync(join(PROJECT_ROOT, 'test', 'cli', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8')) as object;

const INCIDENT = '-- the incident\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);\n';
const TEMPLATED = 'CREATE INDEX ${name} ON orders (customer_id);\n';

const scratch = scratchDirectory('formats');
scratch.write('migrations/002_index.sql', INCIDENT);
scratch.write('migrations/templated.sql', TEMPLATED);
scratch.write('transactions/003.sql', readFileSync(join(PROJECT_ROOT, 'examples/migrations/003_order_status_in_transaction.sql'), 'utf8'));
const lint = (...args: string[]) => lockguard(['lint', ...args], { cwd: scratch.root });

describe('--format sarif', () => {
  const run = lint('--format', 'sarif', 'migrations', 'transactions');
  const log = JSON.parse(run.stdout) as Log;
  const [sarifRun] = log.runs;
  const incident = sarifRun!.results!.find((result) => result.ruleId === 'create-index-without-concurrently')!;

  it('is valid against the official SARIF 2.1.0 schema, and keeps the exit code', () => {
    const ajv = new Ajv({ allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(sarifSchema());
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(log).toMatchObject({ version: '2.1.0', $schema: expect.stringContaining('sarif-schema-2.1.0.json') });
    expect(run.code).toBe(1);
  });

  it('describes every rule with its documentation page and default level', () => {
    const rules = sarifRun!.tool.driver.rules!;
    expect(sarifRun!.tool.driver).toMatchObject({ name: 'Lockguard', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const rule = rules[incident.ruleIndex!]!;
    expect(rule).toMatchObject({
      id: 'create-index-without-concurrently',
      shortDescription: { text: expect.stringContaining('CONCURRENTLY') },
      defaultConfiguration: { level: 'error' },
      help: { markdown: expect.stringContaining('## What to do instead') },
      properties: { tags: ['postgresql', 'migration', 'locks'], category: 'locks' },
    });
    // A web address that works in code scanning, and names a page the repository has.
    const repository = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { repository: { url: string } }).repository.url.replace(/\.git$/, '');
    expect(rule.helpUri).toBe(`${repository}/blob/main/docs/rules/create-index-without-concurrently.md`);
    expect(readFileSync(join(PROJECT_ROOT, 'docs', 'rules', 'create-index-without-concurrently.md'), 'utf8')).toContain('# create-index-without-concurrently');
    expect(new Set(rules.map((descriptor) => descriptor.id)).size).toBe(rules.length);
  });

  it('places results in UTF-16 columns relative to the source root, with levels and stable fingerprints', () => {
    expect(sarifRun!.columnKind).toBe('utf16CodeUnits');
    expect(incident).toMatchObject({
      level: 'error',
      message: { text: expect.stringContaining('SHARE lock on orders') },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'migrations/002_index.sql', uriBaseId: '%SRCROOT%' },
            region: { startLine: 2, startColumn: 1, endLine: 2, endColumn: 13 },
          },
        },
      ],
      partialFingerprints: { 'lockguard/v1': expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(sarifRun!.originalUriBaseIds!['%SRCROOT%']!.uri).toMatch(/^file:\/\/.*\/$/);
    const templated = sarifRun!.results!.find((result) => result.locations![0]!.physicalLocation!.artifactLocation!.uri === 'migrations/templated.sql');
    expect(templated).toMatchObject({ ruleId: 'syntax-error', level: 'warning' });
  });

  it('carries each fix as replacements that, applied to the file, give the safe migration', () => {
    const [fix] = incident.fixes!;
    expect(fix!.description!.text).toBe('Build the index with CREATE INDEX CONCURRENTLY IF NOT EXISTS');
    const replacements = fix!.artifactChanges[0]!.replacements;
    const fixed = [...replacements].reverse().reduce((text, { deletedRegion, insertedContent }) => {
      const [start, end] = regionOffsets(text, deletedRegion);
      return text.slice(0, start) + (insertedContent?.text ?? '') + text.slice(end);
    }, INCIDENT);
    expect(fixed).toBe('-- the incident\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);\n');
  });

  it('percent-encodes relative paths and gives absolute paths as file URIs', () => {
    const spaced = scratch.write('with space/m 1.sql', INCIDENT);
    const uris = (path: string) =>
      (JSON.parse(lint('--format', 'sarif', path).stdout) as Log).runs[0]!.results!.map((result) => result.locations![0]!.physicalLocation!.artifactLocation);
    expect(uris('with space/m 1.sql')).toContainEqual({ uri: 'with%20space/m%201.sql', uriBaseId: '%SRCROOT%' });
    expect(uris(spaced)).toContainEqual({ uri: expect.stringMatching(/^file:\/\/\/.*\/with%20space\/m%201\.sql$/) });
  });
});

describe('--format github', () => {
  it('prints one workflow command per finding, with 1-based inclusive positions, then the summary', () => {
    const { code, stdout } = lint('--format', 'github', 'migrations');
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toContain(
      '::error file=migrations/002_index.sql,line=2,col=1,endLine=2,endColumn=12,title=lockguard create-index-without-concurrently::' +
        escapeData(`${JSON.parse(lint('--format', 'json', 'migrations/002_index.sql').stdout)[0].message}\nFix: Build the index with CREATE INDEX CONCURRENTLY IF NOT EXISTS`),
    );
    expect(lines.find((line) => line.includes('file=migrations/templated.sql'))).toMatch(/^::warning file=migrations\/templated\.sql,line=1,col=14,/);
    expect(lines.at(-1)).toMatch(/^✖ \d+ problems .* in 2 of 2 files\.$/);
    // A message's line breaks are escaped, so each annotation stays on one line.
    expect(lines.slice(0, -1).every((line) => /^::(error|warning|notice) file=/.test(line))).toBe(true);
  });

  it('escapes %, CR and LF in messages, and also : and , in properties, as GitHub reads them', () => {
    expect(escapeData('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext: a, b');
    expect(escapeProperty('a,b:c%d\ne')).toBe('a%2Cb%3Ac%25d%0Ae');
    scratch.write('odd,name:100%.sql', INCIDENT);
    const { stdout } = lint('--format', 'github', 'odd,name:100%.sql');
    expect(stdout).toContain('::error file=odd%2Cname%3A100%25.sql,line=2,');
    expect(stdout).toContain(',title=lockguard create-index-without-concurrently::');
  });

  it('announces info findings as notices', () => {
    expect(formatGithub([fileReport('m.sql', 'SELECT 1;', [finding('info', 0, 6)])])).toMatch(/^::notice file=m\.sql,line=1,col=1,endLine=1,endColumn=6,title=lockguard some-rule::advice\n/);
  });
});

describe('--format gitlab', () => {
  const issues = (path: string) => JSON.parse(lint('--format', 'gitlab', path).stdout) as { fingerprint: string; location: { lines: { begin: number } }; check_name: string }[];

  it('prints a code quality report with GitLab severities', () => {
    const { code, stdout } = lint('--format', 'gitlab', 'migrations');
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as unknown[];
    expect(report).toContainEqual({
      description: expect.stringContaining('SHARE lock on orders'),
      check_name: 'create-index-without-concurrently',
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      severity: 'critical',
      location: { path: 'migrations/002_index.sql', lines: { begin: 2 } },
    });
    expect(report).toContainEqual(expect.objectContaining({ check_name: 'syntax-error', severity: 'major', location: { path: 'migrations/templated.sql', lines: { begin: 1 } } }));
    const severities = JSON.parse(formatGitlab([fileReport('m.sql', 'SELECT 1;', [finding('info', 0, 6)])])).map((issue: { severity: string }) => issue.severity);
    expect(severities).toEqual(['info']);
  });

  it('keeps a fingerprint while the flagged line is unchanged, and tells identical lines apart', () => {
    const incident = (path: string) => issues(path).find((issue) => issue.check_name === 'create-index-without-concurrently')!;
    scratch.write('stable/m.sql', INCIDENT);
    const before = incident('stable/m.sql');
    scratch.write('stable/m.sql', `-- a new comment\n\n${INCIDENT}`);
    const shifted = incident('stable/m.sql');
    expect(shifted.location.lines.begin).toBe(before.location.lines.begin + 2);
    expect(shifted.fingerprint).toBe(before.fingerprint);

    scratch.write('stable/m.sql', INCIDENT.replace('customer_id)', 'customer_id, created_at)'));
    expect(incident('stable/m.sql').fingerprint).not.toBe(before.fingerprint);

    scratch.write('stable/twice.sql', `${INCIDENT}${INCIDENT}`);
    const twice = issues('stable/twice.sql').filter((issue) => issue.check_name === 'create-index-without-concurrently');
    expect(twice).toHaveLength(2);
    expect(twice[0]!.fingerprint).not.toBe(twice[1]!.fingerprint);
  });
});

describe('--format text colours', () => {
  const red = '\x1b[31m';
  const withoutColorVariables = { NO_COLOR: '', FORCE_COLOR: undefined };

  it('are off when stdout is not a terminal, on with FORCE_COLOR (CI logs), and NO_COLOR wins', () => {
    expect(lockguard(['lint', 'migrations/002_index.sql'], { cwd: scratch.root, env: withoutColorVariables }).stdout).not.toContain(red);
    expect(lockguard(['lint', 'migrations/002_index.sql'], { cwd: scratch.root, env: { ...withoutColorVariables, FORCE_COLOR: '1' } }).stdout).toContain(red);
    expect(lockguard(['lint', 'migrations/002_index.sql'], { cwd: scratch.root, env: { NO_COLOR: '1', FORCE_COLOR: '1' } }).stdout).not.toContain(red);
  });
});

function finding(severity: Severity, start: number, end: number): Finding {
  return { ruleId: 'some-rule', severity, message: 'advice', range: { start, end }, statementIndex: 0, fixes: [], noFixReason: undefined, lock: undefined, safeAlternative: undefined, related: [], suppression: undefined };
}

/** Offsets of a SARIF region (1-based lines, 1-based exclusive end column) in text with \n line breaks. */
function regionOffsets(text: string, region: Region): [number, number] {
  const lineStarts = [0, ...[...text.matchAll(/\n/g)].map((match) => match.index! + 1)];
  const offset = (line: number, column: number) => lineStarts[line - 1]! + column - 1;
  return [offset(region.startLine!, region.startColumn!), offset(region.endLine!, region.endColumn!)];
}
