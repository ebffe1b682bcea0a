import type { Rule } from './rule';

/** A suppression must say why the statement is safe: that reason is what a reviewer approves. */
export const suppressionWithoutReason: Rule = {
  id: 'suppression-without-reason',
  severity: 'warning',
  category: 'hygiene',
  docs: {
    summary: 'A lockguard-ignore comment that does not say why the statement is safe.',
    why:
      'Suppressions are how a team accepts a risk on purpose. Without a reason, a reviewer cannot tell a ' +
      'considered decision ("the table has 200 rows") from a silenced warning, and nobody can re-check it when ' +
      'the table grows. The suppression still applies; this warning stays until the reason is written.',
    example: {
      bad: '-- lockguard-ignore create-index-without-concurrently\nCREATE INDEX i ON countries (code);',
      good: '-- lockguard-ignore create-index-without-concurrently: countries has 250 rows and never grows\nCREATE INDEX i ON countries (code);',
    },
    instead: 'Write the reason after a colon: `-- lockguard-ignore <rule>: <why this is safe>`.',
  },
  facts: [],
  fixChecks: [],
  // Reported by the engine once all rules have run (server/src/engine/suppressions.ts).
  check: () => [],
};
