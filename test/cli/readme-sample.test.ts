import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/lsp-client';
import { lockguard } from './run-cli';

describe("the README's sample output", () => {
  it('is what `lockguard lint examples/migrations` prints (trailing spaces aside)', () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const sample = /```text\n\$ npx lockguard lint examples\/migrations\n([\s\S]*?)```\n/.exec(readme);
    expect(sample, 'README.md has a ```text block starting with $ npx lockguard lint examples/migrations').not.toBeNull();
    const run = lockguard(['lint', 'examples/migrations']);
    expect(run.code).toBe(1);
    expect(sample![1]).toBe(run.stdout.replace(/[ \t]+$/gm, ''));
  });
});
