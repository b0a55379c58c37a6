"""VITS / MMS-TTS parity fixture: a random-weight VitsModel (tiny widths) with an MMS-style character vocabulary,
the tokenizer written twice (HF's vocab.json + tokenizer_config.json, and the tokenizer.json layout Transformers.js'
MMS conversions carry), exported as onnx/model.onnx, and the waveform Hugging Face transformers computes in PyTorch.
The noise scales are 0 in this config so both sides are deterministic (real MMS configs sample noise: 0.667 / 0.8)."""
from __future__ import annotations

import json
import re

import torch
from transformers import VitsConfig, VitsModel, VitsTokenizer

from common import FIXTURES, env_report, export, fresh_dir, rounded, seed, shrink_weights, write_json

TEXTS = [
    "Hello, World!",
    "it's a well-known fact",
    "   Spaces   inside and around  ",
    "Café naïve 123 ÀÉÎ",
    "İstanbul and STRASSE",
]
PAD = "_"
CHARS = [PAD, " ", "'", "-"] + [chr(c) for c in range(ord("a"), ord("z") + 1)]


def tokenizer_json(vocab: dict[str, int]) -> dict:
    """The Transformers.js layout for an MMS tokenizer: lowercase, drop characters outside the vocabulary, strip,
    a blank (the pad character) around every character, then one token per character."""
    singles = "".join(t for t in vocab if len(t) == 1)
    allowed = re.sub(r"([\]\-\\^])", r"\\\1", singles)
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": vocab["<unk>"], "content": "<unk>", "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True}],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Lowercase"},
            {"type": "Replace", "pattern": {"Regex": f"[^{allowed}]"}, "content": ""},
            {"type": "Strip", "strip_left": True, "strip_right": True},
            {"type": "Replace", "pattern": {"Regex": "(?=.)|(?<!^)$"}, "content": PAD},
        ]},
        "pre_tokenizer": {"type": "Split", "pattern": {"Regex": ""}, "behavior": "Isolated", "invert": False},
        "post_processor": None, "decoder": None,
        "model": {"vocab": vocab},
    }


def build():
    out = fresh_dir(FIXTURES / "vits")
    model_dir = out / "model"
    model_dir.mkdir()
    vocab = {c: i for i, c in enumerate(CHARS)}
    vocab["<unk>"] = len(vocab)
    (model_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=1) + "\n")
    tokenizer = VitsTokenizer(str(model_dir / "vocab.json"), pad_token=PAD, unk_token="<unk>", add_blank=True, normalize=True,
                              phonemize=False, language="eng")
    tokenizer.save_pretrained(model_dir)
    cfg_path = model_dir / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["tokenizer_class"] = "VitsTokenizer"
    cfg_path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n")
    (model_dir / "tokenizer.json").write_text(json.dumps(tokenizer_json(vocab), ensure_ascii=False, indent=1) + "\n")

    seed(0)
    config = VitsConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=2, num_attention_heads=2, ffn_dim=32, window_size=4,
        flow_size=16, spectrogram_bins=33, upsample_initial_channel=32, upsample_rates=[4, 4], upsample_kernel_sizes=[8, 8],
        resblock_kernel_sizes=[3], resblock_dilation_sizes=[[1, 3]], prior_encoder_num_flows=2, prior_encoder_num_wavenet_layers=2,
        posterior_encoder_num_wavenet_layers=2, duration_predictor_num_flows=2, duration_predictor_filter_channels=16,
        depth_separable_num_layers=2, use_stochastic_duration_prediction=True, noise_scale=0.0, noise_scale_duration=0.0,
        sampling_rate=16_000,
    )
    model = VitsModel(config).eval()
    shrink_weights(model)
    model.config.save_pretrained(model_dir)

    class Tts(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            o = self.m(input_ids=input_ids, attention_mask=attention_mask)
            return o.waveform, o.spectrogram

    ids = tokenizer(["hello there", "hi"], padding=True, return_tensors="pt")
    export(Tts(model), (ids.input_ids, ids.attention_mask), model_dir / "onnx" / "model.onnx", ["input_ids", "attention_mask"],
           ["waveform", "spectrogram"], {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                                         "waveform": {0: "batch", 1: "samples"}, "spectrogram": {0: "batch", 2: "frames"}})

    refs = []
    for text in TEXTS:
        enc = tokenizer(text, return_tensors="pt")
        with torch.no_grad():
            wave = model(**enc).waveform[0]
        refs.append({"text": text, "input_ids": enc.input_ids[0].tolist(), "samples": len(wave), "waveform": rounded(wave, 6)})
    write_json(out / "reference.json", {
        "about": "Hugging Face transformers (PyTorch) outputs for the random-weight VITS in model/; see scripts/parity/README.md",
        "versions": env_report(), "sampling_rate": config.sampling_rate, "cases": refs,
    })
    return out
