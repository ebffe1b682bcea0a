#!/usr/bin/env bash
# Installs the real VS Code the editor tests run in (code-server's VS Code server and workbench) into
# test/e2e/tools/node_modules, offline apart from the npm registry. Idempotent: a second run checks a
# stamp and exits at once. Debian packages it needs: chromium libkrb5-dev ripgrep (.ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")"

APT_HINT="apt-get install chromium libkrb5-dev ripgrep"
STAMP=node_modules/.lockguard-e2e-stamp
SERVER_MAIN=node_modules/code-server/lib/vscode/out/server-main.js

# The stamp names the lock file and Node major it was installed with: either changing means reinstalling.
wanted_stamp="$(sha256sum package-lock.json | cut -d' ' -f1) node-$(node -p 'process.versions.node.split(".")[0]')"
if [[ -f $STAMP && -f $SERVER_MAIN && "$(cat "$STAMP")" == "$wanted_stamp" ]]; then
  exit 0
fi

# code-server pins the Node major of each release (4.100.x: Node 20) and its postinstall refuses any other.
if [[ "$(node -p 'process.versions.node.split(".")[0]')" != 20 ]]; then
  echo "e2e setup: code-server 4.100.3 (VS Code 1.100.3) installs only on Node 20; this is Node $(node --version)." >&2
  exit 1
fi

# kerberos (a VS Code native module) compiles against the GSSAPI headers; ripgrep replaces the binary
# @vscode/ripgrep would download from GitHub.
for needed in /usr/include/gssapi/gssapi.h /usr/bin/rg; do
  if [[ ! -e $needed ]]; then
    echo "e2e setup: $needed is missing. Install the Debian packages the editor tests need: $APT_HINT" >&2
    exit 1
  fi
done

# Everything the install writes to a temporary directory stays in this one, removed at the end.
sandbox="$(mktemp -d "${TMPDIR:-/tmp}/lockguard-e2e-setup.XXXXXX")"
trap 'rm -rf "$sandbox"' EXIT
export TMPDIR="$sandbox"
# As root, code-server's postinstall refuses to run without unsafe-perm; node-pty's postinstall runs
# `npx node-gyp`, which must not ask (a user ~/.npmrc may say yes=false).
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

echo "== e2e setup: installing code-server (VS Code server and workbench; compiles native modules, about 80 s)"
started=$SECONDS
# Scripts run in a second step, once the ripgrep download cache is seeded.
npm ci --ignore-scripts --no-progress --loglevel=error

# @vscode/ripgrep's postinstall downloads rg from api.github.com unless its cache,
# $TMPDIR/vscode-ripgrep-cache-<package version>/ripgrep-<release tag>-<target>.tar.gz, already holds it.
ripgrep_version="$(node -p 'require("./node_modules/code-server/lib/vscode/npm-shrinkwrap.json").packages["node_modules/@vscode/ripgrep"].version')"
npm pack "@vscode/ripgrep@$ripgrep_version" --pack-destination "$sandbox" --silent >/dev/null
tar -xzf "$sandbox/vscode-ripgrep-$ripgrep_version.tgz" -C "$sandbox" package/lib/postinstall.js
ripgrep_tag="$(sed -n "s/^const VERSION = '\(.*\)';/\1/p" "$sandbox/package/lib/postinstall.js")"
mkdir -p "$sandbox/rg" "$sandbox/vscode-ripgrep-cache-$ripgrep_version"
cp /usr/bin/rg "$sandbox/rg/rg"
tar -czf "$sandbox/vscode-ripgrep-cache-$ripgrep_version/ripgrep-$ripgrep_tag-x86_64-unknown-linux-musl.tar.gz" -C "$sandbox/rg" rg

npm rebuild --no-progress --loglevel=error >"$sandbox/rebuild.log" 2>&1 || {
  tail -n 60 "$sandbox/rebuild.log" >&2
  echo "e2e setup: installing code-server failed (log above). Check the Debian packages: $APT_HINT" >&2
  exit 1
}
[[ -f $SERVER_MAIN ]] || { echo "e2e setup: $SERVER_MAIN is missing after the install" >&2; exit 1; }

echo "$wanted_stamp" >"$STAMP"
echo "== e2e setup: done in $((SECONDS - started)) s"
