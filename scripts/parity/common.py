"""Shared helpers for the reference-parity fixtures (dev only; see README.md beside this file)."""
from __future__ import annotations

import json
import math
import os
import shutil
import wave
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "test" / "fixtures" / "parity"
CLIP_REFERENCE = ROOT / "test" / "fixtures" / "clip-vit-base-patch32"
OPSET = 17


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def seed(value: int = 0) -> None:
    torch.manual_seed(value)
    np.random.seed(value)


def shrink_weights(model: torch.nn.Module) -> None:
    """Rounds every float weight to bfloat16's precision (kept as float32): the same model for both sides,
    and the committed ONNX files compress to about half."""
    with torch.no_grad():
        for p in model.parameters():
            if p.dtype == torch.float32:
                p.copy_(p.to(torch.bfloat16).to(torch.float32))
        for name, b in model.named_buffers():
            if b.dtype == torch.float32 and "position_ids" not in name:
                b.copy_(b.to(torch.bfloat16).to(torch.float32))


def export(model: torch.nn.Module, args: tuple, path: Path, inputs: list[str], outputs: list[str], dynamic: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # The exporter restores the wrapper's training flag afterwards, recursively: a wrapper left in training mode
    # would switch the wrapped model's dropout on for the reference outputs computed after the export.
    model.eval()
    torch.onnx.export(
        model, args, str(path), input_names=inputs, output_names=outputs, dynamic_axes=dynamic,
        opset_version=OPSET, do_constant_folding=True, dynamo=False,
    )


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n")


def rounded(values, digits: int = 7):
    """Floats to JSON with enough digits for the tolerances the tests use."""
    arr = np.asarray(values, dtype=np.float64)
    return np.round(arr, digits).tolist()


def write_wav16(path: Path, samples: np.ndarray, rate: int) -> np.ndarray:
    """Writes mono 16-bit PCM and returns the samples exactly as a reader gets them back (int16 / 32768)."""
    ints = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(ints.tobytes())
    return ints.astype(np.float32) / 32768.0


def tone(rate: int, seconds: float, freqs: list[float], noise: float, rng_seed: int) -> np.ndarray:
    n = int(round(rate * seconds))
    t = np.arange(n) / rate
    rng = np.random.default_rng(rng_seed)
    x = sum(math.sqrt(1 / (i + 1)) * np.sin(2 * np.pi * f * t + i) for i, f in enumerate(freqs))
    x = 0.25 * x / max(1.0, np.abs(x).max()) + noise * rng.standard_normal(n)
    env = np.minimum(1.0, np.minimum(t / 0.05, (seconds - t) / 0.05).clip(0))
    return (x * env).astype(np.float32)


def size_of(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def env_report() -> dict:
    import transformers
    return {"torch": torch.__version__, "transformers": transformers.__version__, "numpy": np.__version__}
