"""CLAP (HTSAT-unfused layout) parity fixture: a random-weight ClapModel (RoBERTa text, HTSAT audio, tiny widths),
a small byte-level BPE tokenizer in RoBERTa's layout, the unfused checkpoints' feature extractor settings
(48 kHz, 10 s, repeatpad, rand_trunc), exported as text_model.onnx / audio_model.onnx, and the outputs Hugging Face
transformers computes in PyTorch."""
from __future__ import annotations

import json
import tempfile

import numpy as np
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import (AutoTokenizer, ClapAudioModelWithProjection, ClapConfig, ClapFeatureExtractor, ClapModel,
                          ClapTextModelWithProjection, PreTrainedTokenizerFast)

from common import FIXTURES, env_report, export, fresh_dir, rounded, seed, shrink_weights, tone, write_json, write_wav16

TEXTS = [
    "a dog barking",
    "Rain on a tin roof, then thunder!",
    "  spaces   and\ttabs  ",
    "Café crème: naïve façade",
    "the sound of 🐦 birds at 5am",
    " ".join(f"sound{i} of the sea" for i in range(160)),  # past RoBERTa's 512-token context
]
RATE = 48_000
CLIPS = {"two_seconds": 2.0, "odd_length": 3.7}
CORPUS = [
    "a dog barking in the distance", "rain on a tin roof", "thunder and heavy rain", "birds singing at dawn",
    "a car engine starting", "people talking in a crowded room", "the sound of the sea", "music played on a piano",
    "a cat meowing", "footsteps on a wooden floor", "wind blowing through trees", "a phone ringing",
]


def make_tokenizer(folder) -> None:
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=600, min_frequency=1, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS * 4, trainer)
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=False)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>",
                                   unk_token="<unk>", pad_token="<pad>", mask_token="<mask>", model_max_length=512)
    fast.save_pretrained(folder)
    path = folder / "tokenizer_config.json"
    cfg = json.loads(path.read_text())
    cfg["tokenizer_class"] = "RobertaTokenizer"
    path.write_text(json.dumps(cfg, indent=2) + "\n")


def build():
    out = fresh_dir(FIXTURES / "clap")
    model_dir = out / "model"
    model_dir.mkdir()
    make_tokenizer(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    seed(0)
    config = ClapConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32),
        audio_config=dict(patch_embeds_hidden_size=8, depths=[1, 1, 1, 1], num_attention_heads=[1, 1, 2, 2], hidden_size=64, enable_fusion=False),
        projection_dim=16,
    )
    model = ClapModel(config).eval()
    shrink_weights(model)
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        text = ClapTextModelWithProjection.from_pretrained(tmp, attn_implementation="eager").eval()
        audio = ClapAudioModelWithProjection.from_pretrained(tmp, attn_implementation="eager").eval()
    model.config.save_pretrained(model_dir)
    extractor = ClapFeatureExtractor(truncation="rand_trunc", padding="repeatpad", sampling_rate=RATE, max_length_s=10,
                                    frequency_min=50, frequency_max=14_000)  # the unfused checkpoints' settings
    extractor.save_pretrained(model_dir)

    class Text(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            o = self.m(input_ids=input_ids, attention_mask=attention_mask)
            return o.text_embeds, o.last_hidden_state

    class Audio(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_features):
            return self.m(input_features=input_features).audio_embeds

    ids = torch.tensor([[0, 40, 50, 2, 1], [0, 40, 50, 60, 2]])
    export(Text(text), (ids, (ids != 1).long()), model_dir / "onnx" / "text_model.onnx", ["input_ids", "attention_mask"],
           ["text_embeds", "last_hidden_state"], {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                                                   "text_embeds": {0: "batch"}, "last_hidden_state": {0: "batch", 1: "sequence"}})
    export(Audio(audio), (torch.randn(2, 1, 1001, 64),), model_dir / "onnx" / "audio_model.onnx", ["input_features"], ["audio_embeds"],
           {"input_features": {0: "batch"}, "audio_embeds": {0: "batch"}})

    tok = tokenizer(TEXTS, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        text_embeds = text(**tok).text_embeds

    audio_dir = out / "audio"
    audio_dir.mkdir()
    features_dir = out / "features"
    features_dir.mkdir()
    clips = {}
    for i, (name, seconds) in enumerate(CLIPS.items()):
        samples = write_wav16(audio_dir / f"{name}.wav", tone(RATE, seconds, [220 * (i + 1), 660, 1500 + 300 * i], 0.02, i), RATE)
        feats = extractor(samples, sampling_rate=RATE, return_tensors="pt")
        features = feats.input_features
        features[0].numpy().astype("<f4").tofile(features_dir / f"{name}.f32")
        with torch.no_grad():
            emb = audio(input_features=features).audio_embeds[0]
        clips[name] = {"wav": f"audio/{name}.wav", "samples": len(samples), "features": f"features/{name}.f32",
                       "features_dims": list(features.shape[1:]), "audio_embeds": rounded(emb)}

    write_json(out / "reference.json", {
        "about": "Hugging Face transformers (PyTorch) outputs for the random-weight CLAP in model/; see scripts/parity/README.md",
        "versions": env_report(),
        "tokenizer_class": type(tokenizer).__name__,
        "texts": TEXTS,
        "input_ids": tok.input_ids.tolist(),
        "attention_mask": tok.attention_mask.tolist(),
        "text_embeds": rounded(text_embeds),
        "clips": clips,
    })
    return out
