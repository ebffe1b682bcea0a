/**
 * Every rule's fixes, run for real: the flagged migration, with all the rule's preferred fixes
 * applied, must parse, no longer be flagged, and run on each server (after the rule's fixture).
 */
import { describe, expect, inject, it } from 'vitest';
import { Linter } from '../../server/src/engine/lint';
import { buildStatements } from '../../server/src/engine/model/build';
import { schemaAfter } from '../../server/src/engine/model/schema/replay';
import { defaultOptions } from '../../server/src/engine/options';
import { PostgresParser } from '../../server/src/engine/parse/parser';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import type { Fix } from '../../server/src/engine/rules/rule';
import { splitStatements } from '../../server/src/engine/text/splitter';
import { runAll, withSchemaSessions } from './pg-sessions';

const servers = inject('pgServers');
const linter = await Linter.create();
const parser = await PostgresParser.load();

for (const rule of ALL_RULES.filter((candidate) => candidate.fixChecks.length > 0)) {
  describe.concurrent(`${rule.id} fixes run on PostgreSQL`, () => {
    rule.fixChecks.forEach((check, index) => {
      for (const { major, url } of servers) {
        const fixExists = check.versions === undefined || (major >= check.versions.from && (check.versions.until === undefined || major <= check.versions.until));
        it.skipIf(!fixExists)(`#${index + 1} on PostgreSQL ${major}`, async () => {
          // At its own severity, so that rules which are off by default are checked too.
          const priorSchema = check.setupIsEarlierMigrations ? schemaAfter(buildStatements(check.setup.join(';\n'), parser, defaultOptions())) : undefined;
          const options = { pgVersion: major, rules: { [rule.id]: rule.severity }, priorSchema };
          const findings = linter.lint(check.migration, options).findings.filter((finding) => finding.ruleId === rule.id);
          const fixes = findings.flatMap((finding) => finding.fixes.filter((fix) => fix.preferred));
          expect(fixes.length, `${rule.id} offers a fix for its check migration`).toBeGreaterThan(0);
          const fixed = applyAll(check.migration, fixes);
          const after = linter.lint(fixed, options).findings;
          expect(after.filter((finding) => finding.ruleId === rule.id || finding.ruleId === 'syntax-error')).toEqual([]);
          await withSchemaSessions(url, `fix_checks_${rule.id.replaceAll('-', '_')}_${index}`, 1, async (session) => {
            await runAll(session, check.setup);
            // One statement per query, in autocommit unless the migration says BEGIN: as psql would run it.
            await runAll(session, splitStatements(fixed).map((statement) => fixed.slice(statement.start, statement.end)));
            if (check.afterwards) expect(Object.values((await session.query(check.afterwards)).rows[0] ?? {})[0], check.afterwards).toBe(true);
          });
        });
      }
    });
  });
}

/** Applies the fixes' edits from the end of the file backwards, so earlier offsets stay valid. */
function applyAll(source: string, fixes: readonly Fix[]): string {
  const edits = fixes.flatMap((fix) => fix.edits).sort((a, b) => b.range.start - a.range.start);
  return edits.reduce((text, edit) => text.slice(0, edit.range.start) + edit.newText + text.slice(edit.range.end), source);
}
