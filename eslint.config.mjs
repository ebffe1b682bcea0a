// ESLint for the whole repository: the recommended JavaScript and TypeScript rules (syntax-only, so
// `npm run lint` stays fast on CI's two cores), and the layering enforced as import restrictions:
// the engine (server/src/engine) knows no editor, protocol or caller; cli/, lsp/ and client/ use it only
// through server/src/engine/index.ts; the client imports engine types only; rules import no rule.
// Formatting is Prettier's job (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** `cli/`, `lsp/` and `client/` see the engine only through its public API, `server/src/engine/index.ts`. */
const ENGINE_ONLY_THROUGH_INDEX = {
  regex: '(^|/)engine/.+',
  message: 'Import the engine through its public API (`../engine`, i.e. server/src/engine/index.ts); export what you need from there.',
};

/** The engine knows nothing of the editor, the protocol or its callers. */
const ENGINE_STAYS_PURE = {
  paths: [{ name: 'vscode', message: 'The engine has no editor dependency: take what you need as a parameter.' }],
  patterns: [
    { regex: '^vscode-language(server|client)', message: 'The engine speaks no LSP: convert its results in server/src/lsp/.' },
    { regex: '^(\\.\\./)+(cli|lsp)(/|$)', message: 'The engine never imports its callers (cli/, lsp/).' },
    { regex: '(^|/)(client|shared)/', message: 'The engine never imports the VS Code client or the protocol module.' },
  ],
};

/**
 * Rules never import other rules: a rule file imports `./rule`, `./support/*`, `./fixes/*`,
 * `./probe-fixtures` and `./cluster` (and anything outside rules/). Shared judgments go to support/.
 */
const RULES_IMPORT_NO_RULE = {
  regex: '^\\./(?!(rule|probe-fixtures|cluster)$|support/|fixes/)',
  message: 'Rules never import other rules: move the shared part to rules/support/ (judgments) or rules/probe-fixtures.ts (probe SQL).',
};

export default defineConfig(
  globalIgnores(['dist/', 'test-artifacts/', 'e2e-artifacts/', 'coverage/', 'test/e2e/tools/', '.vscode-test/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` marks a parameter or binding kept for its position (callbacks, destructuring).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Non-null assertions state facts the types cannot (a regex group that matched, a key just set).
      '@typescript-eslint/no-non-null-assertion': 'off',
      // TypeScript checks undefined names better than ESLint's list of globals.
      'no-undef': 'off',
      // The lexer and the position code match NUL and other control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // CommonJS on purpose: the bin/ shims load the bundle, and the staging check's worker runs unbundled.
    files: ['bin/**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['server/src/cli/**/*.ts', 'server/src/lsp/**/*.ts', 'client/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ENGINE_ONLY_THROUGH_INDEX,
            { regex: '(^|/)shared/(?!protocol$)', message: 'Between the server and the client, share only shared/protocol.ts.' },
          ],
        },
      ],
    },
  },
  {
    // The client bundle carries no server code: from the server it may import types only.
    files: ['client/src/**/*.ts', 'shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ENGINE_ONLY_THROUGH_INDEX,
            { regex: '(^|/)shared/(?!protocol$)', message: 'Between the server and the client, share only shared/protocol.ts.' },
            {
              regex: '(^|/)server/src/(?!engine$)',
              message: 'The client and the protocol import from the server only the engine API (`server/src/engine`), and only types.',
            },
            {
              regex: '(^|/)server/src/engine$',
              allowTypeImports: true,
              message:
                'Import engine types only (`import type`): the client bundle must not carry engine code. Let the language server do the work.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['server/src/engine/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', ENGINE_STAYS_PURE] },
  },
  {
    files: ['server/src/engine/rules/*.ts'],
    ignores: [
      '**/*.test.ts',
      // The catalogue's entry point imports the rules.
      'server/src/engine/rules/registry.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { ...ENGINE_STAYS_PURE, patterns: [...ENGINE_STAYS_PURE.patterns, RULES_IMPORT_NO_RULE] },
      ],
    },
  },
);
