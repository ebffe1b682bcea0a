import { NotificationType } from 'vscode-languageserver';

/** Sent after each analysis, so the client's status bar can show progress and counts. */
export interface AnalysisStateParams {
  uri: string;
  state: 'analysing' | 'done';
  errors: number;
  warnings: number;
  infos: number;
}

export const analysisStateNotification = new NotificationType<AnalysisStateParams>('lockguard/analysisState');
