/**
 * Every fix Lockguard offers over the shared corpus of real migrations (after verification, as the
 * CLI and the editor offer them), applied and linted again the way the CLI lints the file: the
 * finding it fixes is gone, no rule reports more errors than before, and every migration the fix
 * creates lints without an error. Checked here independently of the verifier's own bookkeeping:
 * by counting findings per rule.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { collectSqlFiles } from '../../server/src/cli/files';
import { ConfigResolver } from '../../server/src/engine/config/resolver';
import { applyFix } from '../../server/src/engine/fixes/apply';
import { createdFileOptions, FixVerifier } from '../../server/src/engine/fixes/verify';
import type { Finding } from '../../server/src/engine/findings';
import { Linter } from '../../server/src/engine/lint';
import { PriorSchemas } from '../../server/src/engine/model/schema/prior-schemas';
import { PostgresParser } from '../../server/src/engine/parse/parser';
import { diskFiles } from '../../server/src/engine/prior-schema-files';
import { ALL_RULES } from '../../server/src/engine/rules/registry';

const CORPUS = resolve(__dirname, '../../../shared/corpus');

interface Tally {
  offered: number;
  verified: number;
}

it('every fix offered over the corpus removes its finding and adds no error', { timeout: 60 * 60_000 }, async () => {
  const linter = await Linter.create();
  const priorSchemas = new PriorSchemas(await PostgresParser.load(), diskFiles);
  const resolver = new ConfigResolver(ALL_RULES.map((rule) => rule.id));
  const { files } = collectSqlFiles([CORPUS]);
  expect(files.length).toBeGreaterThan(1000);

  const tally = new Map<string, Tally>();
  const failures: string[] = [];
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const options = { ...resolver.forFile(file).options, priorSchema: priorSchemas.before(file) };
    const analysis = linter.lint(source, options);
    if (!analysis.findings.some((finding) => finding.fixes.length > 0)) continue;
    const verifier = new FixVerifier(linter, source, options, analysis);
    const before = countByRule(analysis.findings);
    for (const finding of analysis.findings.filter((candidate) => candidate.fixes.length > 0)) {
      const verified = verifier.finding(finding);
      const counts = tally.get(finding.ruleId) ?? { offered: 0, verified: 0 };
      tally.set(finding.ruleId, { offered: counts.offered + finding.fixes.length, verified: counts.verified + verified.fixes.length });
      if (verified.fixes.length === 0 && !/is not offered: applied, it/.test(verified.noFixReason ?? '')) failures.push(`${file}: ${finding.ruleId} lost its fixes without saying why`);
      for (const fix of verified.fixes) {
        const after = linter.lint(applyFix(source, fix), options).findings;
        const where = `${file}: ${finding.ruleId} fix "${fix.title}"`;
        const afterByRule = countByRule(after);
        if ((afterByRule.all.get(finding.ruleId) ?? 0) >= (before.all.get(finding.ruleId) ?? 0)) failures.push(`${where} leaves the finding`);
        for (const [ruleId, errors] of afterByRule.errors) if (errors > (before.errors.get(ruleId) ?? 0)) failures.push(`${where} adds a ${ruleId} error`);
        for (const created of (fix.createFiles ?? []).filter((candidate) => candidate.path.endsWith('.sql'))) {
          const errors = linter.lint(created.text, createdFileOptions(options, fix.createFiles!, created)).findings.filter((found) => found.severity === 'error');
          if (errors.length > 0) failures.push(`${where} creates ${created.path} with ${errors.map((error) => error.ruleId).join(', ')}`);
        }
      }
    }
  }

  const rows = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([ruleId, { offered, verified }]) => `${ruleId}: ${offered} offered, ${verified} verified`);
  const total = [...tally.values()].reduce((sum, { offered, verified }) => ({ offered: sum.offered + offered, verified: sum.verified + verified }), { offered: 0, verified: 0 });
  console.log(`Fixes over ${files.length} corpus files (each verified one applied and linted again):\n${rows.join('\n')}\ntotal: ${total.offered} offered, ${total.verified} verified`);
  expect(total.verified).toBeGreaterThan(0);
  expect(failures).toEqual([]);
});

function countByRule(findings: readonly Finding[]): { all: Map<string, number>; errors: Map<string, number> } {
  const all = new Map<string, number>();
  const errors = new Map<string, number>();
  for (const finding of findings) {
    all.set(finding.ruleId, (all.get(finding.ruleId) ?? 0) + 1);
    if (finding.severity === 'error') errors.set(finding.ruleId, (errors.get(finding.ruleId) ?? 0) + 1);
  }
  return { all, errors };
}
