import { nonTransactionalForm } from '../knowledge/non-transactional';
import type { Statement } from '../model/statement';
import type { Report, Rule, RuleContext } from './rule';
import { openBlockBefore, transactionControlOf, transactionRunner, wrappingRunner } from './support/transaction-control';
import { lineOf } from './support/lines';
import { describeLines } from './support/timeout-coverage';

/** BEGIN inside a transaction block, and COMMIT or ROLLBACK outside one: PostgreSQL does not nest transactions. */
export const transactionNesting: Rule = {
  id: 'transaction-nesting',
  severity: 'warning',
  category: 'transactions',
  docs: {
    summary: 'BEGIN inside an open transaction (the file\'s own, or the one the migration tool wraps it in), or COMMIT/ROLLBACK with none open.',
    why:
      'PostgreSQL has no nested transactions. A `BEGIN` inside an open transaction is ignored with a warning, and the ' +
      'first `COMMIT` ends the outer transaction: the statements after it run outside any transaction, so a failure ' +
      'there leaves the migration half applied, and locks the author meant to release stay held (or the other way ' +
      'round). When the migration tool already runs the file in a transaction (Flyway, dbmate, diesel, Drizzle, ' +
      "node-pg-migrate, Supabase), the file's `COMMIT` commits the tool's transaction early and the tool's own " +
      'bookkeeping no longer runs with the migration. A `COMMIT` with no transaction open does nothing but warn: ' +
      'usually a `BEGIN` is missing, and the statements above it ran one by one.',
    example: {
      bad: 'BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nBEGIN;\nALTER TABLE invoices ADD COLUMN note text;\nCOMMIT;\nCOMMIT;',
      good: 'BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nALTER TABLE invoices ADD COLUMN note text;\nCOMMIT;',
    },
    instead:
      'Use one `BEGIN … COMMIT` per transaction, not nested; use `SAVEPOINT` for a partial rollback. When the migration ' +
      'tool wraps the file in a transaction, leave `BEGIN`/`COMMIT` out of the file, or turn the tool\'s transaction off ' +
      'for this migration. Prisma and golang-migrate send the file as one query, where the file\'s own block is the ' +
      'intended way to write it. A `COMMIT` that lets a later `CREATE INDEX CONCURRENTLY` (or another statement that ' +
      'cannot run in a transaction) out of the tool\'s transaction is reported with what it costs instead: keep every ' +
      'statement of that file safe to repeat, or give the statement a migration of its own where the tool allows one.',
  },
  facts: [],
  fixChecks: [],
  check(statement, context) {
    const control = transactionControlOf(statement);
    if (!control) return [];
    const open = openBlockBefore(context.statements, statement.index);
    if (control === 'open') return open ? [nestedInBlock(open, context)] : nestedInTool(statement, context);
    // After a syntax error the file's statements may be cut wrongly (the `END` of a BEGIN ATOMIC body, say).
    if (open || context.statements[statement.index - 1]?.kind === 'invalid') return [];
    return [closingNothing(statement, context)];
  },
};

function nestedInBlock(open: Statement, context: RuleContext): Report {
  return {
    message:
      `BEGIN inside the transaction opened on line ${lineOf(open, context)}: PostgreSQL does not nest transactions. It ignores this BEGIN ` +
      '(with a warning), and the next COMMIT ends the outer transaction: the statements after it run outside any transaction. Remove ' +
      'this BEGIN and its COMMIT, or use SAVEPOINT.',
    related: [{ range: open.range, message: 'the transaction is opened here' }],
    noFixReason: 'Whether the inner block should join the outer one or follow it is the author\'s choice.',
  };
}

function nestedInTool(statement: Statement, context: RuleContext): Report[] {
  const tool = wrappingRunner(statement, context);
  if (!tool) return [];
  return [
    {
      message:
        `${tool.name} already runs this file in a transaction: PostgreSQL ignores this BEGIN (with a warning), and the file's COMMIT ` +
        `commits ${tool.name}'s transaction early, so what follows — and the tool's own record of the migration — runs outside it. ` +
        `Leave BEGIN and COMMIT out of the file, or turn the tool's transaction off. ${tool.optOut}`,
      noFixReason: 'Whether to rely on the tool\'s transaction or on the file\'s own is a choice about the tool\'s configuration.',
    },
  ];
}

function closingNothing(statement: Statement, context: RuleContext): Report {
  const tool = transactionRunner(statement, context);
  const word = statement.tokens[0]?.value ?? 'COMMIT';
  const escapes = tool ? refusedInTransactionAfter(statement, context) : [];
  // Leaving the tool's transaction is then the point: removing the COMMIT would make those statements fail.
  if (tool && escapes.length > 0) {
    const forms = [...new Set(escapes.map((escape) => escape.form))];
    const named = `${forms.join(' and ')} on ${describeLines(context, escapes.map((escape) => escape.statement))}`;
    const them = escapes.length > 1 ? 'them' : `the ${forms[0]}`;
    // A failed concurrent build leaves an INVALID index behind, which IF NOT EXISTS then takes for a good one.
    const build = forms.find((form) => /CONCURRENTLY/.test(form) && /^CREATE/.test(form));
    const invalidIndex = build ? `; a failed ${build} leaves an INVALID index that IF NOT EXISTS then skips, so drop it before the re-run` : '';
    const ending = tool.oneTransactionForAllPending
      ? `${word} ends the transaction ${tool.name} runs every pending migration in, early, so that the ${named} can run outside it: ` +
        'the earlier pending migrations and what comes before it commit now, and what follows, later pending migrations of the same run included, ' +
        'runs without a transaction. If a statement after it fails, the migrations stay half applied, and the re-run replays this file from its first ' +
        `statement, those the COMMIT already committed included. Keep every statement of the file safe to repeat (IF NOT EXISTS, IF EXISTS${invalidIndex}), ` +
        `or run ${them} outside the migrator (a separate script or psql step).`
      : `${word} ends the transaction ${tool.name} runs this file in, early, so that the ${named} ` +
        'can run outside it: what comes before it commits now, and if a statement after it fails, the migration stays half applied ' +
        `and its re-run repeats what already ran. Keep every statement of the file safe to repeat (IF NOT EXISTS, IF EXISTS${invalidIndex}), or give ${them} ` +
        `a migration of ${escapes.length > 1 ? 'their' : 'its'} own. ${tool.optOut}`;
    return {
      message: ending,
      noFixReason: 'Where the statement that cannot run in a transaction should go depends on how the project runs its migrations.',
    };
  }
  return {
    message: tool
      ? `${word} ends the transaction ${tool.name} runs this file in, early: the statements after it run in another transaction (or none), ` +
        'so the migration is no longer all-or-nothing. Remove it, or give this migration its own BEGIN … COMMIT with the tool\'s transaction off.'
      : `${word} with no transaction open: PostgreSQL only warns (there is no transaction in progress), and every statement above ran in a ` +
        'transaction of its own. Add the missing BEGIN where the transaction should start, or remove this line.',
    noFixReason: 'Where the transaction was meant to start is not in the file.',
  };
}

/** The statements after a COMMIT, up to the next BEGIN, that PostgreSQL refuses inside a transaction block (CREATE INDEX CONCURRENTLY, …), with their forms. */
function refusedInTransactionAfter(commit: Statement, context: RuleContext): { statement: Statement; form: string }[] {
  const refused: { statement: Statement; form: string }[] = [];
  for (const statement of context.statements.slice(commit.index + 1)) {
    if (statement.section !== commit.section || transactionControlOf(statement) === 'open') break;
    const form = nonTransactionalForm(statement, context.options.pgVersion);
    if (form) refused.push({ statement, form });
  }
  return refused;
}
