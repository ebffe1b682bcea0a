import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Each rule's documentation page ships with the package under docs/rules/<id>.md. The bundles live
 * in dist/, so the page is one folder up from the running script.
 */
export function ruleDocsUrl(ruleId: string): string {
  // Asked for every diagnostic of every analysis: the URL is built once per rule.
  let url = URLS.get(ruleId);
  if (url === undefined) URLS.set(ruleId, (url = pathToFileURL(join(__dirname, '..', 'docs', 'rules', `${ruleId}.md`)).href));
  return url;
}

const URLS = new Map<string, string>();
