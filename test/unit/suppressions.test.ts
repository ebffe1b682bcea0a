import { describe, expect, it } from 'vitest';
import { applyFix, lint } from '../helpers/lint';

const INDEX = 'CREATE INDEX i ON orders (a);';
const ids = (source: string, options = {}) => lint(source, options).map((finding) => finding.ruleId);

describe('suppressions', () => {
  it('silence the named rule on the next statement only, with a reason', () => {
    const source = `-- lockguard-ignore create-index-without-concurrently: orders has 40 rows\n${INDEX}\n${INDEX}`;
    const findings = lint(source);
    expect(findings.map((finding) => [finding.ruleId, source.slice(finding.range.start, finding.range.end)])).toEqual([
      ['create-index-without-concurrently', 'CREATE INDEX'],
    ]);
    expect(findings[0]!.range.start).toBe(source.lastIndexOf(INDEX));
  });

  it('accept several rules, block comments, and a file-level form', () => {
    expect(ids(`/* lockguard-ignore syntax-error, create-index-without-concurrently: generated file */\n${INDEX}`)).toEqual(['unused-suppression']);
    expect(ids(`SELECT 1;\n-- lockguard-ignore-file create-index-without-concurrently: seed data for tests\n${INDEX}\n${INDEX}`)).toEqual([]);
  });

  it('warn when the reason is missing, but still apply', () => {
    const findings = lint(`-- lockguard-ignore create-index-without-concurrently\n${INDEX}`);
    expect(findings.map((finding) => [finding.ruleId, finding.severity])).toEqual([['suppression-without-reason', 'warning']]);
    expect(findings[0]!.message).toMatch(/Say why ignoring create-index-without-concurrently is safe/);
  });

  it.each([
    ['a misspelt rule', `-- lockguard-ignore create-index-without-concurency: small\n${INDEX}`, /no Lockguard rule named "create-index-without-concurency"/],
    ['nothing to silence on the next statement', `-- lockguard-ignore create-index-without-concurrently: small\nSELECT 1;\n${INDEX}`, /reports nothing on the statement after it/],
    ['no statement after it', `${INDEX}\n-- lockguard-ignore create-index-without-concurrently: small\n`, /no statement follows it/],
    ['no rule at all', `-- lockguard-ignore\n${INDEX}`, /names no rule/],
  ])('report an unused suppression: %s', (_name, source, message) => {
    const unused = lint(source).filter((finding) => finding.ruleId === 'unused-suppression');
    expect(unused).toHaveLength(1);
    expect(unused[0]!.message).toMatch(message);
  });

  it('ignore the marker inside string literals', () => {
    expect(ids(`COMMENT ON TABLE orders IS '-- lockguard-ignore create-index-without-concurrently: x';\n${INDEX}`)).toEqual(['create-index-without-concurrently']);
  });

  it('offer an "ignore here" edit on every finding that inserts the comment with its indentation', () => {
    const source = `BEGIN;\n  ${INDEX}\nCOMMIT;\n`;
    const [finding] = lint(source);
    const edited = applyFix(source, { title: 'ignore', edits: [finding!.suppression!], preferred: false, autoApplicable: false });
    expect(edited).toBe(`BEGIN;\n  -- lockguard-ignore create-index-without-concurrently: \n  ${INDEX}\nCOMMIT;\n`);
    // Until the reason is written, the suppression applies and asks for it.
    expect(ids(edited)).toEqual(['suppression-without-reason']);
    expect(ids(edited.replace('concurrently: ', 'concurrently: orders is tiny'))).toEqual([]);
  });
});

describe('rule settings', () => {
  it('turn a rule off or change its severity', () => {
    expect(ids(INDEX, { rules: { 'create-index-without-concurrently': 'off' } })).toEqual([]);
    expect(lint(INDEX, { rules: { 'create-index-without-concurrently': 'warning' } })[0]!.severity).toBe('warning');
  });

  it('do not call a suppression of a rule turned off unused', () => {
    expect(ids(`-- lockguard-ignore create-index-without-concurrently: x\n${INDEX}`, { rules: { 'create-index-without-concurrently': 'off' } })).toEqual([]);
  });
});
