import { sep } from 'node:path';
import { LineIndex, type Finding } from '../engine';

/** One linted file, with what the formatters need to place its findings. */
export interface FileReport {
  file: string;
  source: string;
  lines: LineIndex;
  findings: Finding[];
}

export const fileReport = (file: string, source: string, findings: Finding[]): FileReport => ({ file, source, lines: new LineIndex(source), findings });

/** The path with `/` separators, as CI services and SARIF expect on every platform. */
export const slashPath = (file: string): string => file.split(sep).join('/');
