/**
 * Every fix Lockguard offers over the shared corpus of real migrations (after verification, as the
 * CLI offers them), applied and linted again: the finding it fixes is gone, no rule reports more
 * errors than before, and every migration the fix creates lints without an error. Checked here
 * independently of the verifier's own bookkeeping: by counting findings per rule, each fix alone.
 *
 * Kept to a few minutes on two cores the way the CLI and the editor keep it fast:
 * - a file is analysed once (`lintIncrementally`), the verifier builds on that analysis (as the CLI
 *   does, server/src/cli/lint-command.ts), and each fixed version is re-analysed incrementally from
 *   it (test/unit/incremental.test.ts checks that this finds what `lint` finds);
 * - a migration's fixes are verified all together (`findings()`, as the CLI verifies them): a fix
 *   kept that way is one kept when tried alone or one whose group passed, so the checks below, each
 *   on one fix alone, cover at least every fix the editor would offer.
 * The regression suite (postgres-regress/) is PostgreSQL's own test SQL, not migrations, and holds
 * files no migration comes near (alter_table.sql: 1,675 statements, 572 fixes), where every
 * re-analysis of a fixed version re-runs the rules that read the whole file on every statement.
 * Its fixes are checked on a seeded sample of SAMPLED_FINDINGS findings per file (one of each rule
 * first), each verified alone as the editor verifies them: about 700 of its 3,000 fixes, where all of
 * them took this test past half an hour. Every migration folder is checked in full.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { expect, it } from 'vitest';
import { collectSqlFiles } from '../../server/src/cli/files';
import { ConfigResolver } from '../../server/src/engine/config/resolver';
import { applyFix } from '../../server/src/engine/fixes/apply';
import { besideCreated, createdFileOptions } from '../../server/src/engine/fixes/created-files';
import { FixVerifier } from '../../server/src/engine/fixes/verify';
import type { Finding } from '../../server/src/engine/findings';
import { Linter } from '../../server/src/engine/lint';
import { PriorSchemas } from '../../server/src/engine/model/schema/prior-schemas';
import { PostgresParser } from '../../server/src/engine/parse/parser';
import { diskFiles } from '../../server/src/engine/prior-schema-files';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import { CORPUS, HAS_CORPUS } from '../helpers/corpus';
import { Random } from '../helpers/random';

/** Findings with fixes checked per regression-suite file, picked with a seed from the file's name. */
const SAMPLED_FINDINGS = 10;

interface Tally {
  /** Fixes on the findings. */
  offered: number;
  /** Fixes on the findings checked (all but the regression suite's unsampled ones). */
  checked: number;
  /** Checked fixes the verifier kept: each is applied and linted again. */
  verified: number;
}

it.skipIf(!HAS_CORPUS)('every fix offered over the corpus removes its finding and adds no error', { timeout: 30 * 60_000 }, async () => {
  const linter = await Linter.create();
  const priorSchemas = new PriorSchemas(await PostgresParser.load(), diskFiles);
  const resolver = new ConfigResolver(ALL_RULES.map((rule) => rule.id));
  const { files } = collectSqlFiles([CORPUS]);
  expect(files.length).toBeGreaterThan(1000);

  const tally = new Map<string, Tally>();
  const failures: string[] = [];
  let sampledFiles = 0;
  for (const file of files) {
    const name = relative(CORPUS, file);
    const source = readFileSync(file, 'utf8');
    const options = { ...resolver.forFile(file).options, priorSchema: priorSchemas.before(file) };
    // The fixed versions build on this analysis; only its findings are read from it afterwards.
    const analysis = linter.lintIncrementally(source, options, undefined);
    const fixable = analysis.findings.filter((finding) => finding.fixes.length > 0);
    if (fixable.length === 0) continue;
    const before = countByRule(analysis.findings);
    const verifier = new FixVerifier(linter, source, options, analysis, true);
    const regressionSuite = name.startsWith('postgres-regress/');
    const checked = regressionSuite ? sample(fixable, SAMPLED_FINDINGS, name) : fixable;
    if (checked.length < fixable.length) sampledFiles++;
    // A migration's fixes are verified all together, as the CLI does; `finding` then reads their outcomes.
    if (!regressionSuite) verifier.findings();
    for (const offered of fixable) {
      const counts = tally.get(offered.ruleId) ?? { offered: 0, checked: 0, verified: 0 };
      tally.set(offered.ruleId, { ...counts, offered: counts.offered + offered.fixes.length });
    }

    for (const offered of checked) {
      const verified = verifier.finding(offered);
      const counts = tally.get(offered.ruleId)!;
      tally.set(offered.ruleId, { ...counts, checked: counts.checked + offered.fixes.length, verified: counts.verified + verified.fixes.length });
      if (verified.fixes.length === 0 && !/is not offered: applied, it/.test(verified.noFixReason ?? '')) failures.push(`${name}: ${verified.ruleId} lost its fixes without saying why`);
      for (const fix of verified.fixes) {
        // A file the fix creates beside the migration (diesel's metadata.toml) changes how it runs.
        const fixedOptions = fix.createFiles ? besideCreated(options, fix.createFiles) : options;
        const after = linter.lintIncrementally(applyFix(source, fix), fixedOptions, analysis).findings;
        const where = `${name}: ${verified.ruleId} fix "${fix.title}"`;
        const afterByRule = countByRule(after);
        if ((afterByRule.all.get(verified.ruleId) ?? 0) >= (before.all.get(verified.ruleId) ?? 0)) failures.push(`${where} leaves the finding`);
        for (const [ruleId, errors] of afterByRule.errors) if (errors > (before.errors.get(ruleId) ?? 0)) failures.push(`${where} adds a ${ruleId} error`);
        for (const created of (fix.createFiles ?? []).filter((candidate) => candidate.path.endsWith('.sql'))) {
          const errors = linter.lint(created.text, createdFileOptions(options, fix.createFiles!, created)).findings.filter((found) => found.severity === 'error');
          if (errors.length > 0) failures.push(`${where} creates ${created.path} with ${errors.map((error) => error.ruleId).join(', ')}`);
        }
      }
    }
  }

  const rows = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([ruleId, counts]) => `${ruleId}: ${describeTally(counts)}`);
  const total = [...tally.values()].reduce((sum, counts) => ({ offered: sum.offered + counts.offered, checked: sum.checked + counts.checked, verified: sum.verified + counts.verified }), { offered: 0, checked: 0, verified: 0 });
  console.log(
    `Fixes over ${files.length} corpus files, each verified one applied and linted again (${sampledFiles} regression-suite files sampled, ${SAMPLED_FINDINGS} findings each):\n${rows.join('\n')}\ntotal: ${describeTally(total)}`,
  );
  expect(total.verified).toBeGreaterThan(0);
  expect(failures).toEqual([]);
});

const describeTally = ({ offered, checked, verified }: Tally) => `${offered} offered, ${checked} checked, ${verified} verified`;

/**
 * Up to `size` of the findings, picked with a seed from the file's name (the same ones on every run):
 * one of each rule first, then a second of each, and so on, so that a rule with few findings is checked too.
 */
function sample(findings: readonly Finding[], size: number, name: string): Finding[] {
  if (findings.length <= size) return [...findings];
  const random = new Random([...name].reduce((hash, char) => Math.imul(hash, 31) + char.charCodeAt(0), 7));
  const shuffled = [...findings];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const seenOfRule = new Map<string, number>();
  const ranked = shuffled.map((finding) => {
    const rank = seenOfRule.get(finding.ruleId) ?? 0;
    seenOfRule.set(finding.ruleId, rank + 1);
    return { finding, rank };
  });
  return ranked
    .sort((a, b) => a.rank - b.rank)
    .slice(0, size)
    .map(({ finding }) => finding);
}

function countByRule(findings: readonly Finding[]): { all: Map<string, number>; errors: Map<string, number> } {
  const all = new Map<string, number>();
  const errors = new Map<string, number>();
  for (const finding of findings) {
    all.set(finding.ruleId, (all.get(finding.ruleId) ?? 0) + 1);
    if (finding.severity === 'error') errors.set(finding.ruleId, (errors.get(finding.ruleId) ?? 0) + 1);
  }
  return { all, errors };
}
