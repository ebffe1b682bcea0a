import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBigMigration } from './big-migration';
import { benchCli, type CliResult } from './cli-bench';
import { benchLsp, type LspResult, type Measured } from './lsp-bench';
import { formatMs } from './stats';
import { tools } from './tools';

/** Lockguard's performance targets (issue 7). */
const TARGETS = { cliRatioToSquawk: 1.0, changeP95Ms: 30, rssBytes: 150 * 1024 * 1024, coldStartMs: 500 };
/** Typing into a slow server stops after this long; the table then says how many edits were made. */
const TYPING_BUDGET_MS = 120_000;
/** A diagnostic that takes longer is reported as missing. */
const DIAGNOSTICS_TIMEOUT_MS = 60_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      corpus: { type: 'string', default: '../shared/corpus' },
      runs: { type: 'string', default: '3' },
      edits: { type: 'string', default: '200' },
      lines: { type: 'string', default: '10000' },
      only: { type: 'string' },
      // While working on one tool: `--tool lockguard` (repeatable); the table then has only its columns.
      tool: { type: 'string', multiple: true },
    },
  });
  if (values.only !== undefined && values.only !== 'cli' && values.only !== 'lsp') throw new Error(`--only takes cli or lsp, not "${values.only}"`);
  const projectRoot = process.cwd();
  const corpus = resolve(projectRoot, values.corpus);
  const all = tools(projectRoot).filter((tool) => values.tool === undefined || values.tool.includes(tool.name));
  const workspace = mkdtempSync(join(tmpdir(), 'lockguard-bench-'));
  try {
    const migration = buildBigMigration(corpus, Number(values.lines));
    writeFileSync(join(workspace, 'big_migration.sql'), migration.text);
    const cli = new Map<string, CliResult>();
    if (values.only !== 'lsp') {
      for (const tool of all) {
        process.stderr.write(`CLI: ${tool.cli.name} …\n`);
        cli.set(tool.name, benchCli(tool.cli, corpus, Number(values.runs), workspace));
      }
    }
    const lsp = new Map<string, LspResult>();
    if (values.only !== 'cli') {
      const smallMigration = readFileSync(join(projectRoot, 'examples', 'migrations', '002_index_orders_by_customer.sql'), 'utf8');
      for (const tool of all) {
        process.stderr.write(`LSP: ${tool.name} …\n`);
        lsp.set(tool.name, await benchLsp(tool.lsp(workspace), migration, { edits: Number(values.edits), typingBudgetMs: TYPING_BUDGET_MS, timeoutMs: DIAGNOSTICS_TIMEOUT_MS, smallMigration }));
      }
    }
    process.stdout.write(
      report(
        all.map((tool) => tool.name),
        cli,
        lsp,
        Number(values.edits),
        `corpus ${values.corpus}; LSP document: ${migration.lines} lines, ${migration.statements} statements, ${(migration.text.length / 1024).toFixed(0)} KiB; ${values.edits} single-character edits`,
      ),
    );
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

function report(names: string[], cli: Map<string, CliResult>, lsp: Map<string, LspResult>, requestedEdits: number, setup: string): string {
  const squawk = cli.get('squawk');
  const squawkMs = squawk?.ok ? squawk.medianMs : undefined;
  const cell = <T>(measured: Measured<T> | undefined, show: (value: T) => string) => (!measured ? '–' : measured.ok ? show(measured.value) : `n/a (${measured.reason})`);
  const edits = (count: number) => (count < requestedEdits ? ` (${count} edits in ${TYPING_BUDGET_MS / 60_000} min)` : '');
  const rows: [string, (name: string) => string][] = [
    ['CLI: lint the corpus (median wall time)', (name) => cliCell(cli.get(name))],
    ['CLI: time ÷ squawk’s', (name) => ratioCell(cli.get(name), squawkMs)],
    ['LSP: cold start → first diagnostics', (name) => cell(lsp.get(name)?.coldStartMs, formatMs)],
    ['LSP: didOpen → diagnostics', (name) => cell(lsp.get(name)?.openMs, formatMs)],
    ['LSP: didChange → diagnostics p50', (name) => cell(lsp.get(name)?.changeMs, (value) => `${formatMs(value.p50)}${edits(value.edits)}`)],
    ['LSP: didChange → diagnostics p95', (name) => cell(lsp.get(name)?.changeMs, (value) => `${formatMs(value.p95)}${edits(value.edits)}`)],
    ['LSP: server RSS with the file open', (name) => cell(lsp.get(name)?.rssBytes, (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`)],
    ['LSP: diagnostics model', (name) => lsp.get(name)?.mode ?? '–'],
  ];
  const header = ['', ...names];
  const body = rows.map(([label, value]) => [label, ...names.map(value)]);
  const widths = header.map((_, column) => Math.max(...[header, ...body].map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((text, column) => text.padEnd(widths[column]!)).join(' | ')} |`;
  const table = [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...body.map(line)].join('\n');
  const notes = [...cli].flatMap(([name, result]) => (result.ok && result.excluded.length > 0 ? [`${name} crashed on ${result.excluded.length} files, timed without them: ${result.excluded.join(', ')}`] : []));
  // Wall times grow with the machine's load: say what it was.
  const machine = `${cpus().length} CPUs, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')} at the end`;
  return [`Lockguard benchmark (${setup}; ${machine})`, '', table, '', ...notes.map((note) => `note: ${note}`), ...targetLines(cli, lsp, squawkMs, lsp.get('squawk')), ''].join('\n');
}

function cliCell(result: CliResult | undefined): string {
  if (!result) return '–';
  return result.ok ? `${formatMs(result.medianMs)}${result.excluded.length > 0 ? ` (${result.excluded.length} files crash it)` : ''}` : `n/a (${result.reason})`;
}

function ratioCell(result: CliResult | undefined, squawkMs: number | undefined): string {
  return result?.ok && squawkMs ? `${(result.medianMs / squawkMs).toFixed(2)}×` : '–';
}

/** Lockguard against its targets: one line per target, met or not. */
function targetLines(cli: Map<string, CliResult>, lsp: Map<string, LspResult>, squawkMs: number | undefined, squawkLsp: LspResult | undefined): string[] {
  const lines: string[] = [];
  const check = (label: string, met: boolean | undefined) => lines.push(`target ${met === undefined ? 'not measured' : met ? 'met    ' : 'MISSED '} ${label}`);
  const ours = cli.get('lockguard');
  if (cli.size > 0) check(`CLI ≤ ${TARGETS.cliRatioToSquawk}× squawk's wall time`, ours?.ok && squawkMs ? ours.medianMs / squawkMs <= TARGETS.cliRatioToSquawk : undefined);
  const server = lsp.get('lockguard');
  if (!server) return lines;
  const change = server.changeMs.ok ? server.changeMs.value.p95 : undefined;
  const squawkChange = squawkLsp?.changeMs.ok ? squawkLsp.changeMs.value.p95 : undefined;
  check(`didChange p95 ≤ ${TARGETS.changeP95Ms} ms`, change === undefined ? undefined : change <= TARGETS.changeP95Ms);
  check("didChange p95 ≤ squawk server's", change === undefined || squawkChange === undefined ? undefined : change <= squawkChange);
  check(`RSS ≤ ${TARGETS.rssBytes / 1024 / 1024} MB`, server.rssBytes.ok ? server.rssBytes.value <= TARGETS.rssBytes : undefined);
  check(`cold start ≤ ${TARGETS.coldStartMs} ms`, server.coldStartMs.ok ? server.coldStartMs.value <= TARGETS.coldStartMs : undefined);
  return lines;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
