#!/usr/bin/env bash
# Installs the system programs Rosetta's media, speech and browser tests use, from Debian/Ubuntu packages:
# ffmpeg (audio/video decoding), espeak-ng (offline speech, training audio), sox (audio checks),
# chromium (web UI and report tests, driven by playwright-core), DejaVu fonts (OCR test pictures), redis-server
# (distributed ingest tests; they start their own on a free loopback port, so no service is needed). Skips what is already installed.
set -euo pipefail
need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v sox >/dev/null || need+=(sox)
command -v chromium >/dev/null || need+=(chromium)
# Fonts the OCR tests render their pictures with (sharp/librsvg through fontconfig).
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
command -v redis-server >/dev/null || need+=(redis-server)
if [ ${#need[@]} -eq 0 ]; then
  echo "system deps: all present"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "system deps: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Python set-up (registry weights, Milvus for the store tests, converters): .venv, see scripts/python/README.md
bash "$(dirname "$0")/install-python-deps.sh"
