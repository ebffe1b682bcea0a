import type { Rule } from './rule';

/** A suppression that silences nothing: stale after an edit, misspelt, or on the wrong statement. */
export const unusedSuppression: Rule = {
  id: 'unused-suppression',
  severity: 'warning',
  category: 'hygiene',
  docs: {
    summary: 'A lockguard-ignore comment that silences nothing: a misspelt rule, the wrong statement, or a fixed problem.',
    why:
      'A suppression that matches nothing usually means a mistake: the rule id is misspelt, the comment sits above ' +
      'a different statement than intended (it applies to the statement right after it), or the statement was fixed ' +
      'and the comment stayed. Left in place, it would silently hide a future problem.',
    example: {
      bad: '-- lockguard-ignore create-index-without-concurency: small table\nCREATE INDEX i ON countries (code);',
      good: '-- lockguard-ignore create-index-without-concurrently: small table\nCREATE INDEX i ON countries (code);',
    },
    instead: 'Correct the rule id or move the comment above the statement it is meant for; delete it when nothing needs silencing.',
  },
  facts: [],
  fixChecks: [],
  // Reported by the engine once all rules have run (server/src/engine/suppressions.ts).
  check: () => [],
};
