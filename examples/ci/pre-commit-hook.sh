#!/bin/sh
# Git pre-commit hook: lints the .sql files this commit adds or changes; an error-severity finding
# stops the commit (git commit --no-verify skips the check).
# Install: cp examples/ci/pre-commit-hook.sh .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
# It lints the files as they are in the working tree (staged or not).
git diff --cached --name-only --diff-filter=AM -z -- '*.sql' |
  xargs -0 sh -c 'test "$#" -eq 0 || exec npx lockguard lint "$@"' lockguard
