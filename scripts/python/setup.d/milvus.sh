#!/usr/bin/env bash
# Unpacks the Milvus server from the `milvus` wheel once (.venv/milvus-<version>/bin), so test start-ups skip it.
set -euo pipefail
cd "$(dirname "$0")/../../.."
if .venv/bin/python -c 'import milvus' 2>/dev/null; then .venv/bin/python scripts/python/milvus_prepare.py extract >/dev/null; fi
