import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Each rule's documentation page ships with the package under docs/rules/<id>.md. The bundles live
 * in dist/, so the page is one folder up from the running script.
 */
export function ruleDocsUrl(ruleId: string): string {
  return pathToFileURL(join(__dirname, '..', 'docs', 'rules', `${ruleId}.md`)).href;
}
