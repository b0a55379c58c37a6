#!/usr/bin/env bash
# Installs what the OCR and voice-activity benchmarks compare against or render with (not needed by the tests):
# Tesseract with English, German and French data (the OCR peer), and Debian fonts for rendering the test
# pictures (DejaVu, Liberation, GNU FreeFont). espeak-ng, sox and ffmpeg come from install-system-deps.sh.
set -euo pipefail
need=()
command -v tesseract >/dev/null || need+=(tesseract-ocr tesseract-ocr-eng)
for lang in deu fra; do dpkg -s "tesseract-ocr-$lang" >/dev/null 2>&1 || need+=("tesseract-ocr-$lang"); done
for font in fonts-dejavu-core fonts-liberation2 fonts-freefont-ttf; do dpkg -s "$font" >/dev/null 2>&1 || need+=("$font"); done
if [ ${#need[@]} -eq 0 ]; then echo "bench deps: all present"; exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "bench deps: installing ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
