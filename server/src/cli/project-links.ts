import { repository } from '../../../package.json';

/** The repository's web address, from package.json's `repository` (the one place it is written). */
export const REPOSITORY_URL = repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

/**
 * A documentation page's address on the web, for output read away from this machine (SARIF in code
 * scanning): the file:// path the language server links to exists only where lockguard is installed.
 */
export const webDocsUrl = (pathInRepository: string): string => `${REPOSITORY_URL}/blob/main/${pathInRepository}`;

export const ruleDocsWebUrl = (ruleId: string): string => webDocsUrl(`docs/rules/${ruleId}.md`);
