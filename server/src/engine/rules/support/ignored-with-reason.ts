import type { Statement } from '../../model/statement';
import { findSuppressions, type Suppression } from '../../suppressions';
import { perFile, type RuleContext } from '../rule';

/**
 * The reason the team gave for ignoring another rule's finding on the statement (`-- lockguard-ignore
 * rule: reason`, or the file-wide form), e.g. "countries has 250 rows": what they know about the
 * statement that Lockguard cannot see. Undefined when no other rule is ignored there with a reason.
 */
export function reasonForIgnoring(context: RuleContext, statement: Statement, exceptRule: string): string | undefined {
  return suppressionsOf(context).find(
    (suppression) =>
      suppression.reason !== '' &&
      suppression.rules.some((rule) => rule !== exceptRule) &&
      (suppression.scope === 'file' || suppression.statementIndex === statement.index),
  )?.reason;
}

const suppressionsOf = perFile((context: RuleContext): Suppression[] => findSuppressions(context.source, context.statements));
