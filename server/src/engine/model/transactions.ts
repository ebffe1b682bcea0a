import type { Runner, Section } from './frameworks/framework';
import type { MigrationModel } from './migration';
import type { Statement, TransactionContext } from './statement';
import { transactionControlOf } from './transaction-control';

/**
 * Gives every statement its section and the transaction it runs in, as the runner executes the file:
 * the runner's transaction around a section (until a COMMIT of the file ends it), PostgreSQL's
 * implicit transaction around a multi-statement query, the file's own BEGIN … COMMIT blocks, or
 * autocommit. A BEGIN inside an open transaction changes nothing (PostgreSQL only warns); BEGIN and
 * COMMIT themselves count as autocommit. Sections are separate runs: nothing stays open across them.
 */
export function assignTransactions(statements: readonly Statement[], model: MigrationModel): void {
  let sectionIndex = 0;
  let segment: Segment | undefined;
  for (const statement of statements) {
    while (sectionIndex < model.sections.length - 1 && statement.range.start >= model.sections[sectionIndex]!.end) sectionIndex++;
    const section = model.sections[sectionIndex]!;
    if (!segment || segment.section !== section) {
      segment?.close(undefined);
      segment = new Segment(section, model, statementsIn(statements, statement.index, section));
    }
    segment.add(statement);
  }
  segment?.close(undefined);
}

/** How many statements the runner sends (psql meta-commands and what DO blocks run aside) of the section start at or after `from`. */
function statementsIn(statements: readonly Statement[], from: number, section: Section): number {
  let count = 0;
  for (let i = from; i < statements.length && statements[i]!.range.start < section.end; i++) if (sentByRunner(statements[i]!)) count++;
  return count;
}

/** A statement the runner sends itself: not a psql meta-command, nor a statement a DO block runs. */
export const sentByRunner = (statement: Statement) => statement.kind !== 'meta-command' && !(statement.kind === 'parsed' && statement.runBy);

const AUTOCOMMIT: TransactionContext = { kind: 'autocommit' };

/** Runs the statements of a DO block: as one statement, in one transaction. */
const DO_BLOCK: Runner = { name: 'The DO block', optOut: 'Move the statement out of the DO block: a DO block runs as one statement, in one transaction.' };

/** One section's run: which transaction is open, and the statements in it so far. */
class Segment {
  /** `pending`: the next statement opens a transaction the file does not open itself. */
  private state: 'autocommit' | 'pending' | 'explicit' | 'implicit';
  private opened = -1;
  private members: Statement[] = [];
  /** Whether PostgreSQL's implicit transaction of a multi-statement query covers what the file leaves open. */
  private readonly oneQuery: boolean;
  /** The transaction of the statements the last DO block runs, when the block itself runs in autocommit. */
  private doBlock: TransactionContext | undefined;

  constructor(
    readonly section: Section,
    private readonly model: MigrationModel,
    statementCount: number,
  ) {
    this.oneQuery = section.wrapping === 'one-query' && statementCount > 1;
    this.state = section.wrapping === 'transaction' || this.oneQuery ? 'pending' : 'autocommit';
  }

  add(statement: Statement): void {
    statement.section = this.section.kind;
    statement.transaction = AUTOCOMMIT;
    if (statement.kind === 'parsed' && statement.runBy && this.state === 'autocommit') {
      // A DO block is one statement: what it runs shares one transaction, even in autocommit.
      statement.transaction = this.doBlock ?? AUTOCOMMIT;
      return;
    }
    if (statement.kind === 'parsed' && statement.nodeType === 'DoStmt' && !statement.runBy) {
      this.doBlock = { kind: 'implicit', tool: DO_BLOCK, start: statement.index, end: undefined };
    }
    const control = transactionControlOf(statement);
    if (control === 'open') {
      // Inside the runner's transaction a BEGIN changes nothing; in autocommit, or at the head of a
      // multi-statement query, it opens the file's own block.
      if (this.state === 'autocommit' || (this.state === 'pending' && this.section.wrapping !== 'transaction')) this.open('explicit', statement.index);
      else if (this.state === 'pending') this.open('implicit', statement.index + 1);
      else this.members.push(statement);
      return;
    }
    if (control === 'close') {
      // The runner opened its transaction before the file's first statement: a COMMIT ahead of any other ends it too.
      if (this.state === 'pending' && this.section.wrapping === 'transaction') this.open('implicit', statement.index);
      if (this.state === 'explicit' || this.state === 'implicit') this.close(statement.index);
      return;
    }
    if (this.state === 'pending') this.open('implicit', statement.index);
    if (this.state === 'autocommit') return;
    this.members.push(statement);
  }

  /** Opens a transaction at statement `at`: the BEGIN of an explicit block, the first statement of an implicit one. */
  private open(state: 'explicit' | 'implicit', at: number): void {
    this.state = state;
    this.opened = at;
    this.members = [];
  }

  /** Ends the open transaction at statement `end` (undefined: the section ends with it open) and says what follows. */
  close(end: number | undefined): void {
    if (this.state === 'explicit' || this.state === 'implicit') {
      const context: TransactionContext =
        this.state === 'explicit' ? { kind: 'explicit', begin: this.opened, end } : { kind: 'implicit', tool: this.model.runner, start: this.opened, end };
      for (const member of this.members) member.transaction = context;
    }
    const reopens = this.oneQuery || (this.state === 'implicit' && this.section.wrapping === 'transaction' && this.model.framework?.afterCommit === 'new-transaction');
    this.state = reopens ? 'pending' : 'autocommit';
    this.members = [];
  }
}
