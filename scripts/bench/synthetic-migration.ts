/**
 * Synthetic migrations for the keystroke benchmark (issue "Speed at any size"): every 7th line a
 * CREATE INDEX, the rest ALTER TABLE … ADD COLUMN and one-row INSERTs, in each way a migration runner
 * wraps a file in transactions. Each is written as `V42__migration.sql` in a folder of its own (with
 * the Flyway `.conf` that says how the script runs, where it needs one).
 */

/** How the statements of the file run. */
export type TransactionStyle = 'autocommit' | 'flyway' | 'goose' | 'explicit';

export const TRANSACTION_STYLES: readonly TransactionStyle[] = ['autocommit', 'flyway', 'goose', 'explicit'];

export interface SyntheticMigration {
  name: string;
  /** Files of the migration's folder: the migration itself, and a `.conf` where the style needs one. */
  files: { path: string; text: string }[];
  text: string;
  lines: number;
}

export const SYNTHETIC_FILE_NAME = 'V42__migration.sql';

/** Explicit BEGIN/COMMIT blocks hold this many lines each. */
const BLOCK_LINES = 50;

export function buildSyntheticMigration(style: TransactionStyle, targetLines: number): SyntheticMigration {
  const lines: string[] = [];
  const body = (count: number) => {
    for (let i = 0; lines.length < count; i++) lines.push(syntheticLine(lines.length, i));
  };
  switch (style) {
    case 'goose': {
      // Up takes the file but for a short Down section at its end.
      lines.push('-- +goose Up');
      body(targetLines - 3);
      lines.push('-- +goose Down', 'DROP TABLE bench_items;');
      break;
    }
    case 'explicit': {
      while (lines.length < targetLines) {
        lines.push('BEGIN;');
        const end = Math.min(targetLines - 1, lines.length + BLOCK_LINES);
        body(end);
        lines.push('COMMIT;');
      }
      break;
    }
    default:
      body(targetLines);
  }
  const text = `${lines.join('\n')}\n`;
  // Without a transaction: Flyway's executeInTransaction=false (explicit blocks then are the only transactions).
  const conf = style === 'autocommit' || style === 'explicit' ? [{ path: `${SYNTHETIC_FILE_NAME}.conf`, text: 'executeInTransaction=false\n' }] : [];
  return { name: `synthetic ${style} ${targetLines}`, files: [{ path: SYNTHETIC_FILE_NAME, text }, ...conf], text, lines: lines.length };
}

/** Line `n` of the file (`i` counts the statements made so far): every 7th an index, else a column or a row. */
function syntheticLine(n: number, i: number): string {
  const table = `bench_items_${i % 20}`;
  if ((n + 1) % 7 === 0) return `CREATE INDEX bench_items_${i}_idx ON ${table} (column_${i});`;
  if (i % 2 === 0) return `ALTER TABLE ${table} ADD COLUMN column_${i} text;`;
  return `INSERT INTO ${table} (id, label) VALUES (${i}, 'row_${i}');`;
}
