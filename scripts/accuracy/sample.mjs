#!/usr/bin/env node
// Draws the seeded, stratified sample of findings that docs/accuracy.md reviews by hand: lints
// ../shared/corpus with the built CLI, groups the findings by rule and by corpus project (each
// framework folder is a project of its own), and takes up to `--per-rule` findings of each rule, spread
// over projects, in a seeded order. Prints the sample as Markdown with each finding's statement.
//   node scripts/accuracy/sample.mjs [--seed 15] [--per-rule 2] [--corpus ../shared/corpus]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '15' }, 'per-rule': { type: 'string', default: '2' }, corpus: { type: 'string', default: '../shared/corpus' } } });
const seed = Number(values.seed);
const perRule = Number(values['per-rule']);
const corpus = values.corpus;

/** mulberry32, as test/helpers/random.ts: the same seed draws the same sample. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const output = execFileSync(process.execPath, ['bin/lockguard.js', 'lint', '--format', 'json', '--exit-zero', corpus], { maxBuffer: 1 << 30, encoding: 'utf8' });
const findings = JSON.parse(output);
/** The project a finding is in: a framework folder, or a top-level corpus folder. */
const projectOf = (file) => {
  const parts = relative(corpus, file).split('/');
  return parts[0] === 'frameworks' ? parts[1] : parts[0];
};
// The regression suite is PostgreSQL's own test SQL, not migrations: not part of a false-positive review.
const reviewable = findings.filter((finding) => projectOf(finding.file) !== 'postgres-regress');

const next = random(seed);
const shuffle = (items) => items.map((item) => [next(), item]).sort((a, b) => a[0] - b[0]).map(([, item]) => item);
const byRule = new Map();
for (const finding of reviewable) byRule.set(finding.rule, [...(byRule.get(finding.rule) ?? []), finding]);

const sample = [];
for (const rule of [...byRule.keys()].sort()) {
  // Round-robin over projects, so one project's house style does not fill a rule's share.
  const byProject = new Map();
  for (const finding of shuffle(byRule.get(rule))) byProject.set(projectOf(finding.file), [...(byProject.get(projectOf(finding.file)) ?? []), finding]);
  const queues = shuffle([...byProject.values()]);
  for (let taken = 0; taken < perRule && queues.some((queue) => queue.length > 0); ) {
    for (const queue of queues) {
      if (taken >= perRule) break;
      const finding = queue.shift();
      if (finding) {
        sample.push(finding);
        taken++;
      }
    }
  }
}

console.log(`<!-- seed ${seed}, ${perRule} per rule, ${sample.length} findings of ${reviewable.length} (${findings.length} with postgres-regress) -->`);
sample.forEach((finding, i) => {
  const lines = readFileSync(finding.file, 'utf8').split('\n');
  const from = finding.range.start.line;
  const to = Math.min(finding.range.end.line, from + 12);
  const statement = lines.slice(from, to + 1).join('\n');
  console.log(`\n### ${i + 1}. \`${finding.rule}\` (${finding.severity}) — ${projectOf(finding.file)}: \`${relative(corpus, finding.file)}:${from + 1}\``);
  console.log(`\n> ${finding.message.replace(/\n/g, ' ')}\n\n\`\`\`sql\n${statement}\n\`\`\``);
});
