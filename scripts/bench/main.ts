import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBigMigration } from './big-migration';
import { benchClis, type CliResult } from './cli-bench';
import { benchLsp, type LspBenchOptions, type LspResult, type Measured } from './lsp-bench';
import { buildSyntheticMigration, TRANSACTION_STYLES } from './synthetic-migration';
import { formatMs } from './stats';
import { tools } from './tools';

/** Lockguard's performance targets (issue 7, and "Speed at any size" for keystrokes by file size and the CLI over the corpus). */
const TARGETS = { cliRatioToSquawk: 1.5, rssBytes: 150 * 1024 * 1024, coldStartMs: 500 };

/** The keystroke latency target (didChange → its publish, p95) for a file of this many lines. */
const changeP95TargetMs = (lines: number) => (lines <= 1_000 ? 30 : 100);
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
      // `--only keystrokes`: the synthetic migrations of these sizes (lines), in every transaction style.
      sizes: { type: 'string', default: '1000,10000' },
    },
  });
  if (values.only !== undefined && values.only !== 'cli' && values.only !== 'lsp' && values.only !== 'keystrokes') throw new Error(`--only takes cli, lsp or keystrokes, not "${values.only}"`);
  const projectRoot = process.cwd();
  const corpus = resolve(projectRoot, values.corpus);
  const all = tools(projectRoot).filter((tool) => values.tool === undefined || values.tool.includes(tool.name));
  const workspace = mkdtempSync(join(tmpdir(), 'lockguard-bench-'));
  try {
    const migration = buildBigMigration(corpus, Number(values.lines));
    writeFileSync(join(workspace, 'big_migration.sql'), migration.text);
    const smallMigration = readFileSync(join(projectRoot, 'examples', 'migrations', '002_index_orders_by_customer.sql'), 'utf8');
    const lspOptions: LspBenchOptions = { edits: Number(values.edits), typingBudgetMs: TYPING_BUDGET_MS, timeoutMs: DIAGNOSTICS_TIMEOUT_MS, smallMigration };
    if (values.only === 'keystrokes') {
      process.stdout.write(await keystrokes(all, workspace, migration, values.sizes.split(',').map(Number), lspOptions));
      return;
    }
    const cli = new Map<string, CliResult>();
    if (values.only !== 'lsp') {
      const results = benchClis(
        all.map((tool) => tool.cli),
        corpus,
        Number(values.runs),
        workspace,
        (message) => process.stderr.write(`${message}\n`),
      );
      for (const tool of all) cli.set(tool.name, results.get(tool.cli.name)!);
    }
    const lsp = new Map<string, LspResult>();
    if (values.only !== 'cli') {
      for (const tool of all) {
        process.stderr.write(`LSP: ${tool.name} …\n`);
        lsp.set(tool.name, await benchLsp(tool.lsp(workspace), { path: join(workspace, 'big_migration.sql'), text: migration.text }, lspOptions));
      }
    }
    process.stdout.write(
      report(
        all.map((tool) => tool.name),
        cli,
        lsp,
        Number(values.edits),
        `corpus ${values.corpus}; LSP document: ${migration.lines} lines, ${migration.statements} statements, ${(migration.text.length / 1024).toFixed(0)} KiB; ${values.edits} single-character edits spread over it`,
        migration.lines,
      ),
    );
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

function report(names: string[], cli: Map<string, CliResult>, lsp: Map<string, LspResult>, requestedEdits: number, setup: string, lines: number): string {
  const squawk = cli.get('squawk');
  const squawkMs = squawk?.ok ? squawk.cold.medianMs : undefined;
  const cell = <T>(measured: Measured<T> | undefined, show: (value: T) => string) => (!measured ? '–' : measured.ok ? show(measured.value) : `n/a (${measured.reason})`);
  const edits = (count: number) => (count < requestedEdits ? ` (${count} edits in ${TYPING_BUDGET_MS / 60_000} min)` : '');
  const rows: [string, (name: string) => string][] = [
    ['CLI: lint the corpus, cache cold (median wall time)', (name) => cliCell(cli.get(name), 'cold')],
    ['CLI: cache cold, time ÷ squawk’s', (name) => ratioCell(cli.get(name), 'cold', squawkMs)],
    ['CLI: lint the corpus, cache warm (median wall time)', (name) => cliCell(cli.get(name), 'warm')],
    ['CLI: cache warm, time ÷ squawk’s', (name) => ratioCell(cli.get(name), 'warm', squawkMs)],
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
  return [`Lockguard benchmark (${setup}; ${machine})`, '', table, '', ...notes.map((note) => `note: ${note}`), ...targetLines(cli, lsp, squawkMs, lsp.get('squawk'), lines), ''].join('\n');
}

/** A tool without a cache has no warm figure: '–'. */
function cliCell(result: CliResult | undefined, cache: 'cold' | 'warm'): string {
  if (!result) return '–';
  if (!result.ok) return `n/a (${result.reason})`;
  const timing = result[cache];
  return timing ? `${formatMs(timing.medianMs)}${result.excluded.length > 0 ? ` (${result.excluded.length} files crash it)` : ''}` : '–';
}

function ratioCell(result: CliResult | undefined, cache: 'cold' | 'warm', squawkMs: number | undefined): string {
  const timing = result?.ok ? result[cache] : undefined;
  return timing && squawkMs ? `${(timing.medianMs / squawkMs).toFixed(2)}×` : '–';
}

/** Lockguard against its targets: one line per target, met or not. */
function targetLines(cli: Map<string, CliResult>, lsp: Map<string, LspResult>, squawkMs: number | undefined, squawkLsp: LspResult | undefined, documentLines: number): string[] {
  const lines: string[] = [];
  const check = (label: string, met: boolean | undefined) => lines.push(`target ${met === undefined ? 'not measured' : met ? 'met    ' : 'MISSED '} ${label}`);
  const ours = cli.get('lockguard');
  for (const cache of ['cold', 'warm'] as const) {
    const timing = ours?.ok ? ours[cache] : undefined;
    if (cli.size > 0) check(`CLI, cache ${cache}: ≤ ${TARGETS.cliRatioToSquawk}× squawk's wall time`, timing && squawkMs ? timing.medianMs / squawkMs <= TARGETS.cliRatioToSquawk : undefined);
  }
  const server = lsp.get('lockguard');
  if (!server) return lines;
  const change = server.changeMs.ok ? server.changeMs.value.p95 : undefined;
  const squawkChange = squawkLsp?.changeMs.ok ? squawkLsp.changeMs.value.p95 : undefined;
  check(`didChange p95 ≤ ${changeP95TargetMs(documentLines)} ms`, change === undefined ? undefined : change <= changeP95TargetMs(documentLines));
  check("didChange p95 ≤ squawk server's", change === undefined || squawkChange === undefined ? undefined : change <= squawkChange);
  check(`RSS ≤ ${TARGETS.rssBytes / 1024 / 1024} MB`, server.rssBytes.ok ? server.rssBytes.value <= TARGETS.rssBytes : undefined);
  check(`cold start ≤ ${TARGETS.coldStartMs} ms`, server.coldStartMs.ok ? server.coldStartMs.value <= TARGETS.coldStartMs : undefined);
  return lines;
}

/**
 * Keystroke latency and memory by transaction style and file size: the corpus-made migration and the
 * synthetic ones (synthetic-migration.ts), each in a folder of its own with a fresh server.
 */
async function keystrokes(all: ReturnType<typeof tools>, workspace: string, corpusMigration: { text: string; lines: number }, sizes: number[], options: LspBenchOptions): Promise<string> {
  const documents = [
    { name: `corpus-made (npm run bench file) ${corpusMigration.lines}`, lines: corpusMigration.lines, files: [{ path: 'big_migration.sql', text: corpusMigration.text }] },
    ...sizes.flatMap((size) => TRANSACTION_STYLES.map((style) => buildSyntheticMigration(style, size))),
  ];
  const rows: string[][] = [];
  const targets: string[] = [];
  for (const [i, document] of documents.entries()) {
    const folder = join(workspace, `keystrokes-${i}`);
    mkdirSync(folder);
    for (const file of document.files) writeFileSync(join(folder, file.path), file.text);
    for (const tool of all) {
      process.stderr.write(`keystrokes: ${tool.name} on ${document.name} …\n`);
      const result = await benchLsp(tool.lsp(folder), { path: join(folder, document.files[0]!.path), text: document.files[0]!.text }, options);
      const cell = <T>(measured: Measured<T>, show: (value: T) => string) => (measured.ok ? show(measured.value) : `n/a (${measured.reason})`);
      const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
      rows.push([
        document.name,
        tool.name,
        cell(result.openMs, formatMs),
        cell(result.changeMs, ({ p50 }) => formatMs(p50)),
        cell(result.changeMs, ({ p95, edits }) => `${formatMs(p95)}${edits < options.edits ? ` (${edits} edits)` : ''}`),
        cell(result.rssAfterOpenBytes, mb),
        cell(result.rssBytes, mb),
      ]);
      if (tool.name !== 'lockguard') continue;
      const target = changeP95TargetMs(document.lines);
      const p95 = result.changeMs.ok ? result.changeMs.value.p95 : undefined;
      targets.push(`target ${p95 === undefined ? 'not measured' : p95 <= target ? 'met    ' : 'MISSED '} p95 ≤ ${target} ms on ${document.name}`);
      if (document.lines >= 10_000 && result.rssBytes.ok) targets.push(`target ${result.rssBytes.value <= TARGETS.rssBytes ? 'met    ' : 'MISSED '} RSS ≤ 150 MB after the edits on ${document.name}`);
    }
  }
  const header = ['document (lines)', 'server', 'didOpen', 'didChange p50', 'didChange p95', 'RSS after open', 'RSS after edits'];
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((text, column) => text.padEnd(widths[column]!)).join(' | ')} |`;
  const machine = `${cpus().length} CPUs, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')} at the end`;
  return [`Keystroke latency (${options.edits} single-character edits spread over each file; ${machine})`, '', line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line), '', ...targets, ''].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
