import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProjectConfig } from '../../server/src/engine/config/project-config';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import { RULE_CATEGORIES } from '../../server/src/engine/rules/rule';
import { PROJECT_ROOT } from '../helpers/lsp-client';

// The editor validates lockguard.json with this schema; the engine with its own parser. They must agree.
const schema = JSON.parse(readFileSync(join(PROJECT_ROOT, 'lockguard.schema.json'), 'utf8'));
const validate = new Ajv().compile(schema);
const RULES = ALL_RULES.map((rule) => rule.id);

describe('lockguard.schema.json agrees with the engine', () => {
  it.each([
    [{ pgVersion: 16, transactionMode: 'never', rules: { 'syntax-error': 'warning' }, exclude: ['legacy/**'] }],
    [{ $schema: './lockguard.schema.json' }],
    [{ pgVersion: 9 }],
    [{ pgVersion: 16.5 }],
    [{ transactionMode: 'sometimes' }],
    [{ rules: { 'syntax-error': 'loud' } }],
    [{ exclude: 'legacy/**' }],
    [{ generatedMigrations: { styleRules: 'on' } }],
    [{ generatedMigrations: { styleRules: 'yes' } }],
    [{ generatedMigrations: {} }],
    [{ generatedMigrations: { styleRules: 'off', rules: 'on' } }],
    [{ colour: true }],
    [{ categories: { style: 'off', 'breaking-changes': 'warning' } }],
    [{ categories: { styles: 'off' } }],
    [{ categories: { locks: 'loud' } }],
    [{ categories: 'off' }],
  ])('%j', (config) => {
    expect(validate(config)).toBe(parseProjectConfig(JSON.stringify(config), RULES).ok);
  });

  it('lists the categories the engine has', () => {
    expect(Object.keys(schema.properties.categories.properties)).toEqual([...RULE_CATEGORIES]);
  });
});
