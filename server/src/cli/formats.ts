import { formatGithub } from './format-github';
import { formatGitlab } from './format-gitlab';
import { formatJson } from './format-json';
import { formatSarif } from './format-sarif';
import { formatText, paintFor } from './format-text';
import type { FileReport } from './report';

/** `lockguard lint --format` values; text is for people, the others for machines and CI services. */
export const FORMAT_NAMES = ['text', 'json', 'sarif', 'github', 'gitlab'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

const FORMATTERS: Readonly<Record<FormatName, (reports: readonly FileReport[]) => string>> = {
  text: (reports) => formatText(reports, paintFor(process.stdout.isTTY === true, process.env)),
  json: formatJson,
  sarif: (reports) => formatSarif(reports),
  github: formatGithub,
  gitlab: formatGitlab,
};

export const formatReports = (format: FormatName, reports: readonly FileReport[]): string => FORMATTERS[format](reports);

export const isFormatName = (value: string | undefined): value is FormatName => FORMAT_NAMES.some((name) => name === value);
