import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { test } from './harness';
import { applyCodeAction, describeRange, openMigration, quickFixesAt, ruleOf, waitForDiagnostics, withoutRule, withRule } from './editor';

const RULE = 'create-index-without-concurrently';
const STATEMENT = 'CREATE INDEX orders_customer_id_idx ON orders (customer_id);\n';

test('a migration shows the language server diagnostic: rule, severity, range and message', async () => {
  const editor = await openMigration('migrations/002_diagnostics.sql');
  const diagnostics = await waitForDiagnostics(editor.document.uri, withRule(RULE), `the ${RULE} diagnostic`);

  // Other rules (lock_timeout, statement_timeout) may report the same statement; this test is about one.
  const ours = diagnostics.filter((diagnostic) => ruleOf(diagnostic) === RULE);
  assert.equal(ours.length, 1, `one ${RULE} finding expected, got ${ours.length}`);
  const [diagnostic] = ours as [vscode.Diagnostic];
  assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
  // The squiggle covers the "CREATE INDEX" keywords, where the fix inserts CONCURRENTLY.
  assert.equal(describeRange(diagnostic.range), '0:0-0:12');
  assert.match(diagnostic.message, /^CREATE INDEX takes a SHARE lock on orders for the whole build: .*Use CREATE INDEX CONCURRENTLY\.$/);
  assert.ok(typeof diagnostic.code === 'object' && diagnostic.code.target.toString().includes(RULE), 'the code links to the rule documentation');
});

test('the preferred quick fix rewrites the statement to CREATE INDEX CONCURRENTLY and the diagnostic goes away', async () => {
  const editor = await openMigration('migrations/003_quick_fix.sql');
  const { uri } = editor.document;
  const diagnostic = findingOf(await waitForDiagnostics(uri, withRule(RULE), `the ${RULE} diagnostic`));

  // Other rules' fixes for the same statement follow; the rewrite comes first, so Ctrl+. focuses it.
  const actions = await quickFixesAt(uri, diagnostic.range);
  const [first] = actions;
  assert.ok(first, 'no quick fix offered');
  assert.equal(first.title, 'Build the index with CREATE INDEX CONCURRENTLY IF NOT EXISTS', `quick fixes: ${actions.map((action) => action.title).join(' | ')}`);
  assert.equal(first.isPreferred, true, 'the rewrite is the preferred fix');
  await applyCodeAction(first);

  const fixed = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);\n';
  assert.equal(editor.document.getText(), fixed);
  assert.ok(await editor.document.save(), 'saving the fixed migration failed');
  assert.equal(await readFile(uri.fsPath, 'utf8'), fixed);
  await waitForDiagnostics(uri, withoutRule(RULE), `the ${RULE} diagnostic to go away after the fix`);
});

test('"Ignore here" adds a lockguard-ignore comment above the statement and silences the rule there', async () => {
  const editor = await openMigration('migrations/004_ignore_here.sql');
  const { uri } = editor.document;
  const diagnostic = findingOf(await waitForDiagnostics(uri, withRule(RULE), `the ${RULE} diagnostic`));

  const actions = await quickFixesAt(uri, diagnostic.range);
  const ignore = actions.find((action) => action.title.startsWith(`Ignore ${RULE} here`));
  assert.ok(ignore, `no "Ignore here" action among: ${actions.map((action) => action.title).join(' | ')}`);
  assert.equal(ignore.isPreferred ?? false, false, 'ignoring must never be the preferred fix');
  await applyCodeAction(ignore);

  assert.equal(editor.document.getText(), `-- lockguard-ignore ${RULE}: \n${STATEMENT}`);
  await waitForDiagnostics(uri, withoutRule(RULE), `the ${RULE} diagnostic to be silenced`);
});

function findingOf(diagnostics: vscode.Diagnostic[]): vscode.Diagnostic {
  const diagnostic = diagnostics.find((candidate) => ruleOf(candidate) === RULE);
  assert.ok(diagnostic, `no ${RULE} diagnostic`);
  return diagnostic;
}
