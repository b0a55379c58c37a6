#!/usr/bin/env bash
# The package as a user gets it: `npm pack`, install the tarball into an empty project from the registry,
# then in that project import it, run `npx rosetta --version` and `info`, index a few files with the mini
# model (offline) and search them. Fails on any step, so a dependency tree that cannot load never ships.
# Usage: bash scripts/check-packed-install.sh   (after `npm ci`; npm's cache makes the install quick)
# Set KEEP=1 to keep the temporary project; ROSETTA_PACKED_DIR=<dir> to put it there (and measure it).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export ONNXRUNTIME_NODE_INSTALL=skip ROSETTA_OFFLINE=1
started=$SECONDS
work=${ROSETTA_PACKED_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/rosetta-packed.XXXXXX")}
mkdir -p "$work"
serve_pid=
# npm pack builds dist/ (prepack); a clone's bin/rosetta.js runs dist/ when it exists, so leave none behind.
built_here=; [ -e dist ] || built_here=1
cleanup() {
  if [ -n "$built_here" ]; then rm -rf "$repo/dist"; fi
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; fi
  if [ -z "${KEEP:-}" ] && [ -z "${ROSETTA_PACKED_DIR:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
fail() { echo "check-packed-install: FAILED: $*" >&2; exit 1; }
step() { echo "check-packed-install: $* ($((SECONDS - started)) s)"; }

version=$(node -p "require('./package.json').version")
step "packing rosetta-multimodal@$version"
tgz=$(npm pack --silent --pack-destination "$work" | tail -n 1)
[ -f "$work/$tgz" ] || fail "npm pack did not write $tgz"

app="$work/app"
rm -rf "$app" && mkdir -p "$app" && cd "$app"
printf '{ "name": "packed-install-check", "version": "1.0.0", "private": true, "type": "module" }\n' > package.json
step "installing $tgz into an empty project"
npm install --no-audit --no-fund --loglevel=error "$work/$tgz" > "$work/npm-install.log" 2>&1 || { cat "$work/npm-install.log" >&2; fail "npm install of the tarball"; }

# One onnxruntime-node in the tree: two copies load each other's libonnxruntime (ERR_DLOPEN_FAILED).
copies=$(find node_modules -path '*/onnxruntime-node/package.json' -not -path '*/onnxruntime-node/*/onnxruntime-node/*' | sort)
[ "$(printf '%s\n' "$copies" | grep -c .)" = 1 ] || fail "more than one onnxruntime-node installed: $copies"

step "importing the package"
printf '%s\n' "import * as rosetta from 'rosetta-multimodal';" \
  "if (typeof rosetta.Rosetta?.open !== 'function') throw new Error('no Rosetta.open in the package entry');" \
  "console.log('imported', Object.keys(rosetta).length, 'exports');" > import-check.mjs
node import-check.mjs || fail "import('rosetta-multimodal') from a module file"
node -e "import('rosetta-multimodal').then((m) => { if (!m.Rosetta) process.exit(1); })" || fail "import('rosetta-multimodal') from node -e"

step "npx rosetta --version / info"
got=$(npx --no-install rosetta --version) || fail "npx rosetta --version"
[ "$got" = "$version" ] || fail "npx rosetta --version printed '$got', expected '$version'"
npx --no-install rosetta info --dir ./collection --offline > info.txt || fail "npx rosetta info"
grep -q "devices: cpu" info.txt || { cat info.txt >&2; fail "rosetta info does not list the CPU"; }
[ ! -e ./collection ] || fail "rosetta info created a collection"

step "indexing and searching with the mini model (offline)"
mkdir -p notes
echo "A lighthouse stands on the rocky cliff above the stormy harbour." > notes/lighthouse.txt
echo "Fresh bread and croissants from the bakery on the corner every morning." > notes/bakery.txt
echo "The violin concerto was played by the orchestra in the old concert hall." > notes/concert.txt
npx --no-install rosetta index notes --dir ./collection --model mini --offline --json > index.json || { cat index.json >&2; fail "rosetta index"; }
node -e "const s = JSON.parse(require('fs').readFileSync('index.json', 'utf8')); if (s.added !== 3 || s.failed !== 0) { console.error(s); process.exit(1); }" \
  || fail "rosetta index did not add the 3 notes"
npx --no-install rosetta search "bakery croissants" --dir ./collection --offline -k 3 --json > search.json || { cat search.json >&2; fail "rosetta search"; }
node -e "
const r = JSON.parse(require('fs').readFileSync('search.json', 'utf8'));
const results = Array.isArray(r) ? r : r.results;
const first = results?.[0];
const where = first?.path ?? first?.locations?.[0] ?? '';
if (!where.endsWith('bakery.txt')) { console.error(JSON.stringify(r, null, 1).slice(0, 2000)); process.exit(1); }
console.log('first result:', where);" || fail "searching 'bakery croissants' did not return notes/bakery.txt first"

step "npx rosetta serve stops when npx is sent SIGTERM"
npx --no-install rosetta serve --dir ./collection --port 0 --offline > serve.log 2>&1 &
serve_pid=$!
for _ in $(seq 1 120); do grep -q "serving" serve.log && break; sleep 0.5; done
grep -q "serving" serve.log || { cat serve.log >&2; fail "rosetta serve did not start"; }
server=$(pgrep -f "rosetta.*serve --dir ./collection --port 0" | while read -r p; do [ "$(ps -o comm= -p "$p")" = node ] && [ "$p" != "$serve_pid" ] && echo "$p"; done | tail -n 1)
[ -n "$server" ] || fail "could not find the rosetta serve process under npx"
kill -TERM "$serve_pid"
wait "$serve_pid" 2>/dev/null || true
serve_pid=
for _ in $(seq 1 60); do kill -0 "$server" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$server" 2>/dev/null; then kill "$server"; fail "the server (pid $server) kept running 30 s after SIGTERM to npx"; fi

step "passed"
