import type { Section } from '../../model/frameworks/framework';
import type { Statement } from '../../model/statement';
import type { Fix, RuleContext, TextEdit } from '../rule';
import { aboutStatement } from '../support/recorded-questions';
import { sectionOf } from '../../model/migration';

/** What the statement becomes where it stands, and the fix's title for that rewrite ("Build the index with CREATE INDEX CONCURRENTLY"). */
interface Rewrite {
  text: string;
  title: string;
  /** The edit that writes it, when more than the statement's own text changes (block markers around it); else its range gets `text`. */
  edit?: TextEdit;
}

/**
 * The section a move into a new migration would leave with nothing to run: the statement's, when it
 * holds no other statement (diesel refuses to run an empty migration: "Attempted to run an empty
 * migration"). Only where the framework has a way out to offer: a new migration, or a switch in place.
 */
export function emptiedByMove(statement: Statement, context: RuleContext): Section | undefined {
  const { framework } = context.migration;
  if (!framework?.newMigration && !framework?.withoutTransaction) return undefined;
  return aloneInSection(statement, context) ? sectionOf(context.migration, statement) : undefined;
}

const within = (section: Section, at: number) => at >= section.start && at < section.end;

/** Asked of every statement a fix moves: a recorded question (../support/recorded-questions.ts), so that the finding is taken over while the answer stays. */
const aloneInSection = aboutStatement('alone in section', (statement: Statement, context: RuleContext): boolean => {
  const section = sectionOf(context.migration, statement);
  return section !== undefined && !context.statements.some((other) => other !== statement && within(section, other.range.start));
});

/**
 * The statement rewritten where it stands, its section run outside the runner's transaction by the
 * framework's own switch (goose's NO TRANSACTION, diesel's metadata.toml, …); or why not. For a
 * statement that is the only one of its section, in place of a move that would empty it.
 */
export function runSectionWithoutTransaction(statement: Statement, section: Section, context: RuleContext, rewrite: Rewrite): Fix | string {
  const { framework, runner } = context.migration;
  const why = `${runner.name} runs this statement in a transaction, and it is the only statement of its migration: moved into a new one, it would leave this one empty.`;
  if (!framework?.withoutTransaction) return `${why} ${runner.optOut}`;
  const made = framework.withoutTransaction(
    { path: context.options.filePath?.replace(/\\/g, '/') ?? '', source: context.source, siblings: (folder) => context.options.listSiblings?.(folder) ?? [] },
    section,
  );
  if (typeof made === 'string') return `${why} ${made}`;
  const rewritten = rewrite.text !== statement.text;
  const own = rewrite.edit ?? (rewritten ? { range: statement.range, newText: rewrite.text } : undefined);
  // An insertion where the rewritten statement starts joins its edit: edits of one fix must not touch.
  const joined = own ? made.inserts.filter((insert) => insert.at === own.range.start) : [];
  const edits: TextEdit[] = made.inserts.filter((insert) => !joined.includes(insert)).map((insert) => ({ range: { start: insert.at, end: insert.at }, newText: insert.text }));
  if (own) edits.push({ range: own.range, newText: joined.map((insert) => insert.text).join('') + own.newText });
  const outside = `run the migration outside a transaction (${made.how})`;
  const title = `${rewritten ? `${rewrite.title}, and ${outside}` : outside.charAt(0).toUpperCase() + outside.slice(1)}${made.note ? `; ${made.note}` : ''}`;
  return { title, edits, preferred: true, autoApplicable: false, ...(made.files.length > 0 && { createFiles: made.files }) };
}
