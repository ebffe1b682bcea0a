import { wholeFile, type Framework } from './framework';

/**
 * sqitch: `deploy/`, `revert/` and `verify/` scripts beside a `sqitch.plan`, each run by psql as
 * written — the script's own BEGIN … COMMIT (sqitch's template has one) is its transaction.
 */
export const sqitch: Framework = {
  id: 'sqitch',
  afterCommit: 'autocommit',
  name: 'sqitch',
  optOut: 'Leave BEGIN/COMMIT out of a deploy script that holds only this statement (sqitch runs scripts through psql as written).',
  recognise(file) {
    const match = /(^|\/)(deploy|revert|verify)\/[^/]+\.sql$/.exec(file.path);
    if (!match) return undefined;
    if (file.readSibling('../sqitch.plan') === undefined && file.readSibling('../../sqitch.plan') === undefined) return undefined;
    const kind = match[2] === 'deploy' ? 'up' : match[2] === 'revert' ? 'down' : 'verify';
    return { evidence: `a ${match[2]}/ script beside sqitch.plan`, sections: wholeFile(file.source, kind, 'none') };
  },
};
