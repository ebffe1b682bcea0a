import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'alter-domain-add-constraint';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it('is an error from ADD CONSTRAINT on, naming the domain and the SHARE lock', () => {
    const sql = 'ALTER DOMAIN billing.amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);';
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('ADD CONSTRAINT amount_positive CHECK (VALUE > 0)');
    expect(finding!.message).toContain('every stored value of domain billing.amount');
    expect(finding!.message).toContain('SHARE lock');
    expect(finding!.fixes ?? []).toEqual([]);
    expect(finding!.noFixReason).toBeDefined();
  });

  it('fires for SET NOT NULL, ADD NOT NULL and VALIDATE CONSTRAINT', () => {
    const setNotNull = 'ALTER DOMAIN amount SET NOT NULL;';
    expect(textOf(setNotNull, findings(setNotNull)[0]!)).toBe('SET NOT NULL');
    expect(findings('ALTER DOMAIN amount ADD NOT NULL;')).toHaveLength(1);
    expect(findings('ALTER DOMAIN amount VALIDATE CONSTRAINT amount_positive;')).toHaveLength(1);
  });

  it('stays quiet for ADD … NOT VALID and changes that check nothing', () => {
    expect(findings('ALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0) NOT VALID;')).toEqual([]);
    expect(findings('ALTER DOMAIN amount DROP NOT NULL;')).toEqual([]);
    expect(findings('ALTER DOMAIN amount SET DEFAULT 0;')).toEqual([]);
    expect(findings('ALTER DOMAIN amount DROP CONSTRAINT amount_positive;')).toEqual([]);
  });

  it('stays quiet for a domain created earlier in the file', () => {
    expect(findings('CREATE DOMAIN amount AS int;\nALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);')).toEqual([]);
    expect(findings('CREATE DOMAIN other AS int;\nALTER DOMAIN amount SET NOT NULL;')).toHaveLength(1);
  });

  it('is not reported twice by other rules', () => {
    expect(lint('ALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);').map((finding) => finding.ruleId)).toEqual([RULE]);
  });
});
