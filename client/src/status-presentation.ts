// What the status bar shows, as a pure function of the state, so the wording lives in one place.

export type ServerState = { kind: 'starting' } | { kind: 'running' } | { kind: 'failed'; reason: string };

export interface DocumentAnalysisState {
  state: 'analysing' | 'done';
  errors: number;
  warnings: number;
  infos: number;
}

export interface StatusInput {
  server: ServerState;
  /** The `lockguard.enable` setting: when off, the server reports zero findings, which must not read as "all clear". */
  enabled: boolean;
  /** The latest report for the active document; undefined until the server has reported on it. */
  analysis: DocumentAnalysisState | undefined;
}

export interface StatusPresentation {
  text: string;
  tooltip: string;
  isError: boolean;
}

const NAME = 'Lockguard';
const CLICK_HINT = 'Click to open the Lockguard output.';

export function presentStatus({ server, enabled, analysis }: StatusInput): StatusPresentation {
  if (server.kind === 'failed') {
    return {
      text: `$(alert) ${NAME}`,
      tooltip: `${server.reason} Migrations are NOT being checked. ${CLICK_HINT} Run "Lockguard: Restart Server" to try again.`,
      isError: true,
    };
  }
  if (server.kind === 'starting') return { text: `$(sync~spin) ${NAME}`, tooltip: `Lockguard: starting the language server… ${CLICK_HINT}`, isError: false };
  if (!enabled) return { text: `$(circle-slash) ${NAME}`, tooltip: 'Lockguard is turned off by the setting "lockguard.enable".', isError: false };
  if (!analysis) return { text: NAME, tooltip: `Lockguard: this file has not been analysed yet. ${CLICK_HINT}`, isError: false };
  if (analysis.state === 'analysing') return { text: `$(sync~spin) ${NAME}`, tooltip: `Lockguard: analysing this file… ${CLICK_HINT}`, isError: false };

  const counts: [icon: string, count: number, noun: string][] = [
    ['error', analysis.errors, 'error'],
    ['warning', analysis.warnings, 'warning'],
    ['info', analysis.infos, 'note'],
  ];
  const found = counts.filter(([, count]) => count > 0);
  if (found.length === 0) {
    return { text: `$(check) ${NAME}`, tooltip: `Lockguard: no lock hazards found in this file. ${CLICK_HINT}`, isError: false };
  }
  return {
    text: `${found.map(([icon, count]) => `$(${icon}) ${count}`).join(' ')} ${NAME}`,
    tooltip: `Lockguard: ${found.map(([, count, noun]) => plural(count, noun)).join(', ')} in this file (see the Problems view). ${CLICK_HINT}`,
    isError: false,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
