import { describe, expect, it } from 'vitest';
import { defaultOptions } from '../../options';
import { PostgresParser } from '../../parse/parser';
import { buildStatements } from '../build';
import { schemaAfter, schemaHistory } from './replay';

const parser = await PostgresParser.load();
const statementsOf = (sql: string) => buildStatements(sql, parser, defaultOptions());
const name = (text: string) => (text.includes('.') ? { schema: text.split('.')[0], name: text.split('.')[1]! } : { schema: undefined, name: text });

describe('schema history of indexes', () => {
  const prior = schemaAfter(
    statementsOf(
      'CREATE SCHEMA app;\nCREATE TABLE app.payments (id int PRIMARY KEY, status text, due_date date, email text, note text);\n' +
        'CREATE INDEX payments_due ON app.payments (due_date);\n' +
        "CREATE INDEX payments_open ON app.payments (status) WHERE due_date IS NOT NULL;\n" +
        'CREATE INDEX payments_email ON app.payments (lower(email));\n' +
        'CREATE INDEX payments_status ON app.payments (status) INCLUDE (note);\n',
    ),
  );

  it('knows the table of an index the earlier migrations made, through the search path', () => {
    const statements = statementsOf('SET search_path TO app, public;\nSELECT 1;');
    const history = schemaHistory(statements, prior);
    expect(history.before(1).indexTable(name('payments_due'))).toEqual({ schema: 'app', name: 'payments' });
    expect(history.before(1).indexTable(name('app.payments_due'))).toEqual({ schema: 'app', name: 'payments' });
    expect(history.before(1).indexTable(name('public.payments_due'))).toBeUndefined();
    expect(history.before(1).isDroppedIndex(name('payments_due'))).toBe(false);
  });

  it('drops with a column every index that uses it: as a column, in an expression, in WHERE or INCLUDE, as PostgreSQL does', () => {
    const drops = (column: string) => {
      const statements = statementsOf(`ALTER TABLE app.payments DROP COLUMN ${column};`);
      const after = schemaHistory(statements, prior).before(1);
      return ['payments_due', 'payments_open', 'payments_email', 'payments_status'].filter((index) => after.index(name(`app.${index}`)) === undefined);
    };
    expect(drops('due_date')).toEqual(['payments_due', 'payments_open']);
    expect(drops('email')).toEqual(['payments_email']);
    expect(drops('note')).toEqual(['payments_status']);
    expect(drops('id')).toEqual([]);
  });

  it('keeps what an index depends on across a column rename', () => {
    const statements = statementsOf('ALTER TABLE app.payments RENAME COLUMN due_date TO due_on;\nALTER TABLE app.payments DROP COLUMN due_on;');
    const history = schemaHistory(statements, prior);
    expect(history.before(1).index(name('app.payments_open'))).toBeDefined();
    expect(history.before(2).index(name('app.payments_open'))).toBeUndefined();
  });

  it('tells an index dropped earlier (with its column, its table, or by name) from a name no migration made', () => {
    const statements = statementsOf(
      'ALTER TABLE app.payments DROP COLUMN due_date;\nCREATE TABLE app.t (a int);\nCREATE INDEX t_a ON app.t (a);\nDROP TABLE app.t;\nDROP INDEX app.payments_email;\nSELECT 1;',
    );
    const history = schemaHistory(statements, prior);
    expect(history.before(0).isDroppedIndex(name('app.payments_due'))).toBe(false);
    const end = history.before(statements.length);
    expect(end.isDroppedIndex(name('app.payments_due'))).toBe(true);
    expect(end.isDroppedIndex(name('app.t_a'))).toBe(true);
    expect(end.isDroppedIndex(name('app.payments_email'))).toBe(true);
    expect(end.isDroppedIndex(name('app.never_made'))).toBe(false);
    // Unqualified, the default search path ("$user", public) may mean any schema; public.payments_due was never made.
    expect(end.isDroppedIndex(name('payments_due'))).toBe(true);
    expect(end.isDroppedIndex(name('public.payments_due'))).toBe(false);
    expect(end.indexTable(name('app.payments_status'))).toEqual({ schema: 'app', name: 'payments' });
  });

  it('does not take an index dropped from a schema off the search path for the one the name means', () => {
    const statements = statementsOf('ALTER TABLE app.payments DROP COLUMN due_date;\nSET search_path TO public;\nSELECT 1;');
    const history = schemaHistory(statements, prior);
    expect(history.before(2).isDroppedIndex(name('payments_due'))).toBe(false);
  });

  // PostgreSQL, ALTER TABLE: with USING INDEX "the index ... will be renamed to match the constraint name".
  it('renames the index ADD CONSTRAINT … USING INDEX takes to the constraint: its old name finds nothing after', () => {
    const statements = statementsOf(
      'CREATE UNIQUE INDEX payments_email_key ON app.payments (email);\nALTER TABLE app.payments ADD CONSTRAINT payments_email_unique UNIQUE USING INDEX payments_email_key;\n' +
        'ALTER TABLE app.payments DROP CONSTRAINT payments_email_unique;\nSELECT 1;',
    );
    const history = schemaHistory(statements, prior);
    const renamed = history.before(2);
    expect(renamed.indexTable(name('app.payments_email_key'))).toBeUndefined();
    expect(renamed.isDroppedIndex(name('app.payments_email_key'))).toBe(true);
    expect(renamed.indexTable(name('app.payments_email_unique'))).toEqual({ schema: 'app', name: 'payments' });
    expect(renamed.isDroppedIndex(name('app.payments_email_unique'))).toBe(false);
    // Dropping the constraint drops its index.
    expect(history.before(3).isDroppedIndex(name('app.payments_email_unique'))).toBe(true);
  });

  // marquez V43 renames jobs_namespace_uuid_name_parent this way; V45 drops it again IF EXISTS, which finds nothing.
  it('keeps what earlier migrations dropped or renamed away for the migrations after them', () => {
    const v43 = schemaAfter(
      statementsOf(
        'ALTER TABLE app.payments DROP COLUMN due_date;\nCREATE UNIQUE INDEX payments_note ON app.payments (note);\n' +
          'ALTER TABLE app.payments ADD CONSTRAINT payments_note_key UNIQUE USING INDEX payments_note;\n',
      ),
      prior,
    );
    const next = (sql: string) => schemaHistory(statementsOf(sql), schemaAfter(statementsOf('SELECT 1;'), v43)).before(statementsOf(sql).length);
    const later = next('SELECT 1;');
    expect(later.isDroppedIndex(name('app.payments_note'))).toBe(true);
    expect(later.isDroppedIndex(name('app.payments_due'))).toBe(true);
    expect(later.isDroppedIndex(name('app.payments_note_key'))).toBe(false);
    expect(later.indexTable(name('app.payments_note_key'))).toEqual({ schema: 'app', name: 'payments' });
    // Made again: on a table the migrations show, or one they do not (the index may exist).
    expect(next('CREATE INDEX payments_note ON app.payments (status);').isDroppedIndex(name('app.payments_note'))).toBe(false);
    expect(next('CREATE INDEX payments_note ON app.elsewhere (status);').isDroppedIndex(name('app.payments_note'))).toBe(false);
    // A statement whose effect the replay cannot see may make it again too.
    expect(next("DO $$ BEGIN EXECUTE 'CREATE INDEX payments_note ON app.payments (note)'; END $$;").isDroppedIndex(name('app.payments_note'))).toBe(false);
    expect(next('CREATE INDEX payments_note ON {{table}} (note);').isDroppedIndex(name('app.payments_note'))).toBe(false);
    expect(next('CREATE INDEX payments_other ON {{table}} (note);').isDroppedIndex(name('app.payments_note'))).toBe(true);
  });
});
