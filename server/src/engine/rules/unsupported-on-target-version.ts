import type { Report, Rule } from './rule';
import { VERSION_GATED_FORMS, type VersionGatedForm } from './support/version-gated-forms';

/**
 * A statement the target PostgreSQL rejects: newer syntax (MERGE, NULLS NOT DISTINCT, DETACH …
 * CONCURRENTLY, NOT ENFORCED …) or a partition/constraint form no release accepts. Each form's failure
 * is verified per version on real servers, and so is its acceptance on the releases that accept it.
 */
export const unsupportedOnTargetVersion: Rule = {
  id: 'unsupported-on-target-version',
  severity: 'error',
  category: 'hygiene',
  docs: {
    summary: 'A statement the target PostgreSQL version rejects: the migration fails there.',
    why:
      'Lockguard checks the migration for the PostgreSQL major version set as `pgVersion` (default 15). Syntax and ' +
      'features added in later releases — `MERGE` (15), `NULLS NOT DISTINCT` (15), `DETACH PARTITION … CONCURRENTLY` ' +
      '(14), `ALTER COLUMN … SET EXPRESSION` (17), NOT NULL table constraints, `NOT ENFORCED` and virtual generated ' +
      'columns (18), an exclusion constraint or a new identity column on a partitioned table (17), a NOT VALID foreign ' +
      'key on a partitioned table (18) … — make an older server reject the statement, and the deploy stops half-way ' +
      'through the migration. Some partition forms no release accepts: a primary key or unique constraint on a ' +
      'partitioned table must include every partition key column, and a foreign key on a partitioned table cannot ' +
      'be added `ONLY` to the parent. A function that PostgreSQL ships only in a later release (`uuidv7()`, 18) is a ' +
      'warning: an extension or an earlier migration may define it.',
    example: {
      bad: '-- pgVersion 15\nALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY; -- fine\nALTER TABLE users ADD CONSTRAINT users_email_not_null NOT NULL email; -- PostgreSQL 18 only',
      good: "-- pgVersion 15\nALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    },
    instead:
      'Write the statement the way the target release accepts (each finding says how), or, if the database already ' +
      'runs a newer release, set `pgVersion` in the Lockguard configuration to it.',
  },
  facts: VERSION_GATED_FORMS.map((form) => form.fact),
  fixChecks: [],
  check(statement, context) {
    if (statement.kind !== 'parsed') return [];
    const target = context.options.pgVersion;
    return VERSION_GATED_FORMS.filter((form) => form.acceptedFrom === undefined || target < form.acceptedFrom).flatMap((form) =>
      form.find(statement, context).map((range): Report => ({ ...reportOf(form, target), range })),
    );
  },
};

function reportOf(form: VersionGatedForm, target: number): Omit<Report, 'range'> {
  const { fact } = form;
  const rejection = `SQLSTATE ${fact.sqlstate}${fact.sqlstate === '42601' ? ', a syntax error' : ''}`;
  if (form.acceptedFrom === undefined) {
    return {
      message: `No PostgreSQL version accepts ${form.name} (${rejection}: "${fact.message}"), so the migration fails here. ${form.instead}`,
      noFixReason: 'The statement has to be redesigned: see the message for what PostgreSQL accepts instead.',
    };
  }
  const needs = `${form.name} needs PostgreSQL ${form.acceptedFrom} or later, and this migration targets PostgreSQL ${target} (the pgVersion setting)`;
  if (form.mayBeUserDefined) {
    return {
      message: `${needs}: unless an extension or an earlier migration defines it, PostgreSQL ${target} rejects the statement (${rejection}) and the migration fails here. ${form.instead}`,
      severity: 'warning',
      noFixReason: 'Whether the database already defines the function is not in the migration.',
    };
  }
  return {
    message: `${needs}: PostgreSQL ${target} rejects the statement (${rejection}) and the migration fails here. ${form.instead} If the database already runs PostgreSQL ${form.acceptedFrom}+, set pgVersion to its version.`,
    noFixReason: `What to write instead on PostgreSQL ${target} depends on what the statement is for: see the message.`,
  };
}
