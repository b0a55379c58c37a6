"""Regenerates test/fixtures/parity/<family>/ (dev only). Usage:
    /work/venvs/parity/bin/python scripts/parity/make_fixtures.py [clip] [clap] ...   (default: every family)
"""
from __future__ import annotations

import importlib
import sys

from common import size_of

FAMILIES = ["clip", "siglip", "clap", "whisper", "vits", "vit_gpt2", "florence2", "janus"]


def main(argv: list[str]) -> None:
    wanted = argv or FAMILIES
    for family in wanted:
        if family not in FAMILIES:
            raise SystemExit(f"unknown family {family!r}; expected one of {', '.join(FAMILIES)}")
    for family in wanted:
        out = importlib.import_module(family).build()
        print(f"{family}: {size_of(out) / 1e6:.2f} MB in {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
