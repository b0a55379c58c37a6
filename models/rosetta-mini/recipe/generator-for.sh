#!/usr/bin/env bash
# A generator for an existing rosetta-mini model's space (how models/rosetta-mini/generator/ was made; never in CI).
#   models/rosetta-mini/recipe/generator-for.sh MODEL OUT [--fit heldout]
# Exports the training data (OUT/data, reused when present), embeds it with MODEL (OUT/cond), trains the autoencoder
# and the flow on those vectors (OUT/gen, ~25 min on 2 cores), stores the weights as float16 and checks the result
# through Rosetta. Copy OUT/gen/model/generator into MODEL to ship it. Python: $ROSETTA_MINI_PYTHON (see README.md).
set -euo pipefail
cd "$(dirname "$0")/../../.."
MODEL="$(realpath "${1:?usage: generator-for.sh MODEL OUT [--fit heldout]}")"
OUT="$(realpath -m "${2:?usage: generator-for.sh MODEL OUT [--fit heldout]}")"
shift 2
FIT=ship
if [ "${1:-}" = "--fit" ]; then FIT="${2:?--fit heldout|ship}"; fi
PY="${ROSETTA_MINI_PYTHON:-/usr/bin/python3}"
# Extra train.py flags (they win over the defaults): $ROSETTA_MINI_TRAIN_ARGS, e.g. "--epochs-flow 200".
read -r -a EXTRA <<< "${ROSETTA_MINI_TRAIN_ARGS:-}"
TEACHER="${ROSETTA_REGISTRY_MODELS_DIR:-models/registry}/minilm-l6-v2"
export PYTHONHASHSEED=0
mkdir -p "$OUT"
# The generator reads only pictures and texts: one voice per label keeps the (unused) speech export short.
[ -f "$OUT/data/dataset.json" ] || node --import tsx scripts/mini-v5/export-data.ts --out "$OUT/data" --teacher "$TEACHER" --one-voice-per-label
node --import tsx scripts/mini-v5/embed-dataset.ts --data "$OUT/data" --model "$MODEL" --out "$OUT/cond"
"$PY" models/rosetta-mini/recipe/train.py --data "$OUT/data" --out "$OUT/gen" --fit "$FIT" --threads 2 \
  --stages generator,export --condition-space "$OUT/cond" --epochs-ae 20 --epochs-flow 150 "${EXTRA[@]}" 2>&1 | tee "$OUT/gen.log"
"$PY" scripts/mini-v5/compact-weights.py "$OUT/gen/model"
# Check: the generator opens beside MODEL's towers and one seed gives one picture.
CHECK="$OUT/check-model"
rm -rf "$CHECK" && mkdir -p "$CHECK"
for f in clip clap rosetta.json; do [ -e "$MODEL/$f" ] && ln -s "$MODEL/$f" "$CHECK/$f"; done
cp -r "$OUT/gen/model/generator" "$CHECK/generator"
node --import tsx src/cli/main.ts imagine "red heart" --model "$CHECK" --offline --dir "$OUT/none" -o "$OUT/check-a.png" --seed 1 --json > /dev/null
node --import tsx src/cli/main.ts imagine "red heart" --model "$CHECK" --offline --dir "$OUT/none" -o "$OUT/check-b.png" --seed 1 --json > /dev/null
cmp -s "$OUT/check-a.png" "$OUT/check-b.png" || { echo "one seed gave two pictures: $OUT/check-a.png, $OUT/check-b.png" >&2; exit 1; }
echo "generator for $MODEL in $OUT/gen/model/generator (copy it into $MODEL/); judge it:"
echo "  node --import tsx bench/mini-generator.ts $CHECK --judge <a model of another recipe>"
