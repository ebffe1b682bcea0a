import { describe, expect, it } from 'vitest';
import { fillChecklist } from '../../server/src/engine/staging/checklist';
import { lockGrid, renderReportPage } from '../../server/src/engine/staging/report-html';
import { stagingReport } from './staging-report-fixture';

// The report view's page: report in, HTML out (the webview only sets it).

const NONCE = 'bm9uY2UtZm9yLXRlc3Rz';
const render = (report = stagingReport()) => renderReportPage({ report, checklist: fillChecklist(report, undefined) }, { nonce: NONCE });
/** The cells of each body row of the statements table, as text. */
function tableRows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]!.replace(/<br>/g, ' | ').replace(/<[^>]+>/g, '')));
}

describe('staging report page', () => {
  it('beside the migration (narrow), each statement becomes a card: every cell carries its column name', () => {
    const html = render();
    const header = [...(/<thead>([\s\S]*?)<\/thead>/.exec(html)![1]!).matchAll(/<th>([^<]*)<\/th>/g)].map((match) => match[1]);
    const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
    for (const row of body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)) {
      const cells = [...row[1]!.matchAll(/<td( class="empty")?(?: data-label="([^"]*)")?>/g)];
      expect(cells).toHaveLength(header.length);
      // A filled cell is labelled with its own column; an empty one is hidden in the card.
      cells.forEach((cell, i) => expect(cell[1] ? 'empty' : cell[2]).toBe(cell[1] ? 'empty' : header[i]));
    }
    expect(body).toContain('<td data-label="Blocked until COMMIT">');
    const narrow = /@media \(max-width: (\d+)px\) \{([\s\S]*?)\n\}/.exec(html)!;
    expect(Number(narrow[1])).toBeGreaterThanOrEqual(500); // the report view beside the editor is about 500 px wide
    expect(narrow[2]).toContain('table.statements thead { display: none; }');
    expect(narrow[2]).toContain('table.statements td.empty { display: none; }');
    expect(narrow[2]).toContain('content: attr(data-label)');
  });

  it('allows only its own nonce-tagged stylesheet: no scripts, no external resources', () => {
    const html = render();
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    expect(csp).toBe(`default-src 'none'; style-src 'nonce-${NONCE}';`);
    expect(html).toContain(`<style nonce="${NONCE}">`);
    expect(html).not.toMatch(/<script|<link|<img|\bsrc=|\bhref=|url\(|@import/i);
    // Colours come from the theme.
    expect(html).toContain('var(--vscode-charts-red)');
    expect(html).not.toMatch(/#[0-9a-f]{6}\b/i);
  });

  it('has one row per statement with locks, tables, blocked operations (measured or inferred), durations and the work done', () => {
    const rows = tableRows(render());
    expect(rows.map((row) => row.slice(0, 2))).toEqual([
      ['1', 'BEGIN'],
      ['2', 'ALTER TABLE orders ADD COLUMN shipped_at'],
      ['3', 'CREATE INDEX orders_status_idx'],
      ['4', 'COMMIT'],
      ['5', 'CREATE INDEX CONCURRENTLY orders_customer_idx'],
    ]);
    const [, addColumn, createIndex, , concurrently] = rows;
    expect(addColumn).toEqual([
      '2',
      'ALTER TABLE orders ADD COLUMN shipped_at',
      'ACCESS EXCLUSIVE public.orders',
      'public.orders',
      'public.orders: SELECT, INSERT, UPDATE, DELETE, DDL (measured)',
      '4 ms',
      'not estimated (catalog-only change: its time does not grow with the table)',
      'none',
    ]);
    expect(createIndex).toEqual([
      '3',
      'CREATE INDEX orders_status_idx',
      'SHARE public.orders | ACCESS EXCLUSIVE public.orders_status_idx (new: blocks nobody)',
      'public.orders',
      'public.orders: SELECT, INSERT, UPDATE, DELETE, DDL (measured)',
      '1.2 s',
      'ACCESS EXCLUSIVE on public.orders for ~2.6–10 min at 50M rows: every read and write waits',
      'full scan public.orders (200k rows)',
    ]);
    expect(concurrently!.slice(2, 6)).toEqual([
      'SHARE UPDATE EXCLUSIVE public.orders (documentation)',
      'public.orders',
      'public.orders: DDL (inferred)',
      '980 ms (non-concurrent equivalent)',
    ]);
  });

  it('says where it ran, that it rolled back, and whether traffic is blocked', () => {
    const html = render();
    expect(html).toContain('postgres://app@staging.internal:5432/shop?sslmode=require');
    expect(html).toContain('Rolled back: nothing was changed.');
    expect(html).toContain('The migration blocks traffic on existing tables');
    const embedded = render(stagingReport({ target: { kind: 'embedded', engine: 'PGlite', serverVersion: '18.6', major: 18, replayedMigrations: ['001_create_orders.sql'] }, blocksTraffic: false }));
    expect(embedded).toContain('embedded PGlite database (PostgreSQL 18.6), after replaying 1 earlier migration');
    expect(embedded).toContain('No lock of this migration blocks reads or writes');
  });

  it('names the session a failed statement waited for', () => {
    const report = stagingReport();
    report.statements[2] = {
      ...report.statements[2]!,
      status: 'failed',
      error: { code: '55P03', message: 'canceling statement due to lock timeout', hint: 'another session holds a lock on orders', blockers: [{ pid: 4242, query: 'SELECT * FROM orders FOR UPDATE', applicationName: 'psql' }] },
    } as never;
    report.outcome = { kind: 'failed', statementIndex: 2, message: 'lock timeout' };
    const html = render(report);
    expect(tableRows(html)[2]![2]).toBe('failed (55P03): canceling statement due to lock timeout | another session holds a lock on orders | waiting for pid 4242 (psql): SELECT * FROM orders FOR UPDATE');
    expect(html).toContain('The check stopped at statement 3: lock timeout');
  });

  it('escapes SQL and names from the file', () => {
    const report = stagingReport();
    report.statements[1] = { ...report.statements[1]!, label: 'ALTER TABLE "<script>alert(1)</script>"', text: '"&\'' };
    const html = render(report);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('title="&quot;&amp;&#39;"');
  });

  it('draws the lock timeline: one row per existing table, the strongest mode held after each statement', () => {
    const { tables, cells } = lockGrid(stagingReport());
    expect(tables).toEqual(['public.orders']);
    // ACCESS EXCLUSIVE from statement 2 until COMMIT; the CONCURRENTLY build's own lock comes from the documentation.
    expect(cells.get('public.orders')).toEqual([
      undefined,
      { mode: 'ACCESS EXCLUSIVE', known: false },
      { mode: 'ACCESS EXCLUSIVE', known: false },
      undefined,
      { mode: 'SHARE UPDATE EXCLUSIVE', known: true },
    ]);
    const svg = /<svg[\s\S]*?<\/svg>/.exec(render())![0];
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain('<title>SHARE UPDATE EXCLUSIVE on public.orders, statement 5 (from the documentation: not run)</title>');
    // The held lock spans statements 2–3 as one bar; the new index (invisible to others) has no row.
    expect(svg).toContain('<title>ACCESS EXCLUSIVE on public.orders, statements 2–3, held until COMMIT</title>');
    expect([...svg.matchAll(/<text class="label"[^>]*>([^<]*)</g)].map((label) => label[1])).toEqual(['public.orders']);
  });
});
