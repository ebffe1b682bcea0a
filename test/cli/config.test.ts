import { describe, expect, it } from 'vitest';
import { lockguard, scratchDirectory } from './run-cli';

const scratch = scratchDirectory('config');
const REINDEX = 'REINDEX INDEX orders_status_idx;\n';
scratch.write('app/db/migrations/001_reindex.sql', REINDEX);
scratch.write('app/db/migrations/legacy/000_index.sql', 'CREATE INDEX i ON orders (a);\n');
scratch.write(
  'app/db/lockguard.json',
  JSON.stringify({ pgVersion: 11, exclude: ['legacy'], rules: { 'reindex-without-concurrently': 'warning', 'missing-lock-timeout': 'off', 'missing-statement-timeout': 'off' } }),
);
scratch.write('broken/lockguard.json', '{ "pgVersion": 99, "rules": { "create-index-without-concurrency": "off" } }');
scratch.write('broken/001.sql', 'CREATE INDEX i ON orders (a);\n');
const CHECK = "SET lock_timeout = '2s';\nALTER TABLE orders ADD CONSTRAINT orders_a_check CHECK (a > 0);\n";
scratch.write('timeouts/001_check.sql', CHECK);
scratch.write('timeouts-on/lockguard.json', JSON.stringify({ rules: { 'missing-statement-timeout': 'warning' } }));
scratch.write('timeouts-on/001_check.sql', CHECK);
const PRISMA_STEP = 'prisma/migrations/20240209110749_create_events/migration.sql';
const CREATE_EVENTS = '-- CreateTable\nCREATE TABLE "Event" ("id" BIGINT NOT NULL, "at" TIMESTAMP(3) NOT NULL, CONSTRAINT "Event_pkey" PRIMARY KEY ("id"));\n';
scratch.write(`generated/${PRISMA_STEP}`, CREATE_EVENTS);
scratch.write('generated-style-on/lockguard.json', JSON.stringify({ generatedMigrations: { styleRules: 'on' } }));
scratch.write(`generated-style-on/${PRISMA_STEP}`, CREATE_EVENTS);

const lintJson = (...args: string[]) => {
  const run = lockguard(['lint', '--format', 'json', ...args], { cwd: scratch.root });
  return { ...run, findings: run.stdout ? (JSON.parse(run.stdout) as { file: string; rule: string; severity: string; fixes: unknown[] }[]) : [] };
};

describe('lockguard lint reads lockguard.json, as the language server does', () => {
  it('applies the nearest project file: version, rule severities and excludes', () => {
    const { code, findings } = lintJson('app');
    // legacy/ is excluded; REINDEX is a warning by configuration, and PostgreSQL 11 has no REINDEX CONCURRENTLY to offer.
    expect(findings.map(({ file, rule, severity }) => ({ file, rule, severity }))).toEqual([
      { file: 'app/db/migrations/001_reindex.sql', rule: 'reindex-without-concurrently', severity: 'warning' },
    ]);
    expect(findings[0]!.fixes).toEqual([]);
    expect(code).toBe(0);
  });

  it('lets command-line flags override the project file', () => {
    const { findings } = lintJson('--pg-version', '16', 'app/db/migrations/001_reindex.sql');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.fixes).not.toEqual([]);
  });

  it('honours excludes for files named explicitly, and says so when nothing is left', () => {
    const { code, stdout, stderr } = lockguard(['lint', 'app/db/migrations/legacy/000_index.sql'], { cwd: scratch.root });
    expect(code).toBe(0);
    expect(stdout).toContain('No problems found in 0 files');
    expect(stderr).toContain('is excluded by lockguard.json: nothing to lint');
  });

  it('reports a broken project file with what to fix, lints with the defaults, and exits 2', () => {
    const { code, findings, stderr } = lintJson('broken');
    expect(code).toBe(2);
    expect(findings.map((finding) => finding.rule)).toEqual(['create-index-without-concurrently']);
    expect(stderr).toContain('lockguard.json: "pgVersion" must be a PostgreSQL major version from 10 to 18, not 99');
    expect(stderr).toContain('create-index-without-concurrency');
    expect(stderr).toContain('did you mean "create-index-without-concurrently"');
  });

  it('rejects an unknown --transaction-mode with the accepted values', () => {
    expect(lockguard(['lint', '--transaction-mode', 'sometimes', 'app'], { cwd: scratch.root })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown --transaction-mode "sometimes": use auto, always, never.'),
    });
  });

  describe('rules that are off by default', () => {
    const rulesOf = (path: string, ...flags: string[]) => lintJson(...flags, path).findings.map(({ rule, severity }) => `${rule}:${severity}`);

    it('missing-statement-timeout runs only when lockguard.json or --rule gives it a severity', () => {
      expect(rulesOf('timeouts')).not.toContain('missing-statement-timeout:info');
      expect(rulesOf('timeouts-on')).toContain('missing-statement-timeout:warning');
      expect(rulesOf('timeouts', '--rule', 'missing-statement-timeout=info')).toContain('missing-statement-timeout:info');
      expect(rulesOf('timeouts-on', '--rule', 'missing-statement-timeout=off')).not.toContain('missing-statement-timeout:warning');
    });

    it('--rule names a known rule and a setting', () => {
      expect(lockguard(['lint', '--rule', 'missing-statment-timeout=info', 'timeouts'], { cwd: scratch.root })).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown rule "missing-statment-timeout"') });
      expect(lockguard(['lint', '--rule', 'missing-statement-timeout', 'timeouts'], { cwd: scratch.root })).toMatchObject({ code: 2, stderr: expect.stringContaining('missing-statement-timeout=error|warning|info|off') });
    });

    it('type-style rules skip SQL an ORM generated, unless generatedMigrations.styleRules is on: then no SQL fix', () => {
      expect(rulesOf('generated')).toEqual([]);
      const { findings } = lintJson('generated-style-on');
      expect(findings.map(({ rule, fixes }) => ({ rule, fixes }))).toEqual([{ rule: 'prefer-timestamptz', fixes: [] }]);
    });
  });
});
