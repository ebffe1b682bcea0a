import type { Paint } from './format-text';

/**
 * Markdown as a terminal shows it: headings in bold, code blocks indented, links as "text (url)",
 * and each table row as "Header: value" lines (a rule page's tables are wider than a terminal).
 */
export function markdownForTerminal(markdown: string, paint: Paint): string {
  const out: string[] = [];
  const lines = markdown.replace(/\n+$/, '').split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.startsWith('```')) {
      const end = lines.indexOf('```', index + 1);
      const code = lines.slice(index + 1, end === -1 ? lines.length : end);
      out.push(...code.map((codeLine) => `    ${paint.blue(codeLine)}`));
      index = end === -1 ? lines.length : end;
    } else if (line.startsWith('|')) {
      const table = [];
      while (index < lines.length && lines[index]!.startsWith('|')) table.push(cells(lines[index++]!));
      index--;
      out.push(...tableRows(table, paint));
    } else if (/^#{1,6} /.test(line)) {
      out.push(paint.bold(inline(line.replace(/^#+ /, ''), paint)));
    } else {
      out.push(inline(line, paint));
    }
  }
  return out.join('\n') + '\n';
}

function tableRows([header = [], , ...rows]: string[][], paint: Paint): string[] {
  return rows.flatMap((row, rowIndex) => [
    ...(rowIndex > 0 ? [''] : []),
    ...row.map((cell, column) => `${column === 0 ? '- ' : '  '}${paint.dim(`${header[column] ?? ''}:`)} ${inline(cell, paint)}`),
  ]);
}

/** The cells of a table row; `\|` inside a cell is a literal bar. */
const cells = (row: string) =>
  row
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'));

function inline(text: string, paint: Paint): string {
  return text
    .replace(/\*\*([^*]+)\*\*/g, (_, bold: string) => paint.bold(bold))
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, (_, label: string, url: string) => (label === url ? url : `${label} (${url})`));
}
