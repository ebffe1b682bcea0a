import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { test } from './harness';
import { openMigration } from './editor';

const EXTENSION_ID = 'lockguard.lockguard';
const SNIPPET_NAME = 'Lockguard migration checklist';

test('the migration-checklist snippet inserts the checklist block with its first placeholder selected', async () => {
  const editor = await openMigration('migrations/005_checklist.sql');
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded`);

  // By name and language, as a keybinding or the "Insert Snippet" picker would: this finds the snippet
  // only if the extension contributes it for SQL.
  await vscode.commands.executeCommand('editor.action.insertSnippet', { langId: 'sql', name: SNIPPET_NAME });

  const text = editor.document.getText();
  assert.equal(text, await expectedExpansion(extension.extensionPath), 'the inserted block differs from the snippet with its defaults');
  assert.match(text, /^\/\* lockguard:checklist\n/);
  assert.match(text, /\nlockguard:end \*\/\n$/);
  assert.equal(editor.document.getText(editor.selection), 'table_name', 'the first tab stop, the table name, is selected for typing');
});

/** The snippet body with every placeholder at its default and the first choice of each choice list. */
async function expectedExpansion(extensionPath: string): Promise<string> {
  const snippets = JSON.parse(await readFile(join(extensionPath, 'snippets', 'sql.json'), 'utf8')) as Record<string, { body: string[] }>;
  const body = snippets[SNIPPET_NAME]?.body;
  assert.ok(body, `snippets/sql.json has no "${SNIPPET_NAME}"`);
  return body
    .join('\n')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1')
    .replace(/\$0/g, '');
}
