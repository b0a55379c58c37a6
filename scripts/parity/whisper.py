"""Whisper parity fixture: a random-weight multilingual WhisperForConditionalGeneration (2+2 layers, width 16) with a
small byte-level BPE vocabulary laid out like Whisper's (text tokens, then <|endoftext|> … <|notimestamps|>, then the
1501 timestamp tokens), exported as Transformers.js' encoder_model.onnx and decoder_model_merged.onnx (a decoder with
self-attention cache: past_key_values.N.decoder.key/value in, present.N.decoder.key/value out; cross-attention is
recomputed each step), and what Hugging Face transformers' generate gives in PyTorch: language, token ids, text and segment timestamps."""
from __future__ import annotations

import json

import numpy as np
import onnxruntime as ort
import torch
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (AutoTokenizer, GenerationConfig, PreTrainedTokenizerFast, WhisperConfig, WhisperFeatureExtractor,
                          WhisperForConditionalGeneration)

from common import FIXTURES, env_report, export, fresh_dir, rounded, seed, shrink_weights, tone, write_json, write_wav16

RATE = 16_000
LANGS = ["en", "fr", "de", "es"]
SPECIALS = (["<|endoftext|>", "<|startoftranscript|>"] + [f"<|{l}|>" for l in LANGS]
            + ["<|translate|>", "<|transcribe|>", "<|startoflm|>", "<|startofprev|>", "<|nospeech|>", "<|notimestamps|>"])
CORPUS = ["the quick brown fox jumps over the lazy dog", "hello world, this is a test of speech",
          "one two three four five six seven eight nine ten", "bonjour le monde", "guten tag", "hola amigos"]
CLIPS = {"tones": 4.0, "short": 1.3}


def make_tokenizer(folder) -> None:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, min_frequency=1, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS * 3, trainer)
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in SPECIALS])
    tok.add_tokens([AddedToken(f"<|{i * 0.02:.2f}|>", special=False, normalized=False) for i in range(1501)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>", eos_token="<|endoftext|>", unk_token="<|endoftext|>",
                                   pad_token="<|endoftext|>", additional_special_tokens=SPECIALS[1:], model_max_length=1024)
    fast.save_pretrained(folder)
    path = folder / "tokenizer_config.json"
    cfg = json.loads(path.read_text())
    cfg["tokenizer_class"] = "WhisperTokenizer"
    path.write_text(json.dumps(cfg, indent=2) + "\n")


class Encoder(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.encoder = m.model.encoder

    def forward(self, input_features):
        return self.encoder(input_features=input_features).last_hidden_state


class CachedDecoder(torch.nn.Module):
    """Whisper's decoder written out over the same modules, with an explicit self-attention cache so it traces."""

    def __init__(self, m):
        super().__init__()
        self.d = m.model.decoder
        self.proj = m.proj_out

    @staticmethod
    def heads(x, attn):
        b, s, _ = x.shape
        return x.view(b, s, attn.num_heads, attn.head_dim).transpose(1, 2)

    def attend(self, attn, q, k, v, mask=None):
        w = torch.matmul(q * attn.scaling, k.transpose(-1, -2))
        if mask is not None:
            w = w.masked_fill(mask, torch.finfo(w.dtype).min)
        o = torch.matmul(torch.softmax(w, dim=-1), v).transpose(1, 2)
        return attn.out_proj(o.reshape(o.shape[0], o.shape[1], -1))

    def forward(self, input_ids, encoder_hidden_states, *past):
        d = self.d
        past_len = past[0].shape[2]
        steps = input_ids.shape[1]
        pos = torch.arange(steps) + past_len
        x = d.embed_tokens(input_ids) * d.embed_scale + d.embed_positions.weight[pos]
        mask = torch.arange(steps + past_len)[None, :] > pos[:, None]
        presents = []
        for i, layer in enumerate(d.layers):
            a = layer.self_attn
            h = layer.self_attn_layer_norm(x)
            k = torch.cat([past[2 * i], self.heads(a.k_proj(h), a)], dim=2)
            v = torch.cat([past[2 * i + 1], self.heads(a.v_proj(h), a)], dim=2)
            presents += [k, v]
            x = x + self.attend(a, self.heads(a.q_proj(h), a), k, v, mask)
            c = layer.encoder_attn
            h = layer.encoder_attn_layer_norm(x)
            x = x + self.attend(c, self.heads(c.q_proj(h), c), self.heads(c.k_proj(encoder_hidden_states), c), self.heads(c.v_proj(encoder_hidden_states), c))
            h = layer.final_layer_norm(x)
            x = x + layer.fc2(layer.activation_fn(layer.fc1(h)))
        return (self.proj(d.layer_norm(x)), *presents)


def build():
    out = fresh_dir(FIXTURES / "whisper")
    model_dir = out / "model"
    model_dir.mkdir()
    make_tokenizer(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIALS}
    eot, sot, notimestamps = ids["<|endoftext|>"], ids["<|startoftranscript|>"], ids["<|notimestamps|>"]
    assert tokenizer.convert_tokens_to_ids("<|0.00|>") == notimestamps + 1, "timestamps follow <|notimestamps|>"
    space = tokenizer.convert_tokens_to_ids("Ġ")

    seed(0)
    config = WhisperConfig(
        vocab_size=len(tokenizer), num_mel_bins=80, d_model=16, encoder_layers=2, decoder_layers=2, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, max_source_positions=1500, max_target_positions=448,
        decoder_start_token_id=sot, bos_token_id=eot, eos_token_id=eot, pad_token_id=eot,
    )
    model = WhisperForConditionalGeneration(config).eval()
    shrink_weights(model)
    suppress = [tokenizer.convert_tokens_to_ids(t) for t in ["!", "#", "("]]
    model.generation_config = GenerationConfig(
        decoder_start_token_id=sot, bos_token_id=eot, eos_token_id=eot, pad_token_id=eot, max_length=448,
        is_multilingual=True, lang_to_id={f"<|{l}|>": ids[f"<|{l}|>"] for l in LANGS},
        task_to_id={"transcribe": ids["<|transcribe|>"], "translate": ids["<|translate|>"]},
        no_timestamps_token_id=notimestamps, prev_sot_token_id=ids["<|startofprev|>"], max_initial_timestamp_index=50,
        suppress_tokens=suppress, begin_suppress_tokens=[space, eot], alignment_heads=[[1, 0], [1, 1]],
    )
    model.config.save_pretrained(model_dir)
    model.generation_config.save_pretrained(model_dir)
    extractor = WhisperFeatureExtractor(feature_size=80, sampling_rate=RATE)
    extractor.save_pretrained(model_dir)

    enc_path = model_dir / "onnx" / "encoder_model.onnx"
    dec_path = model_dir / "onnx" / "decoder_model_merged.onnx"
    export(Encoder(model), (torch.randn(1, 80, 3000),), enc_path, ["input_features"], ["last_hidden_state"],
           {"input_features": {0: "batch_size"}, "last_hidden_state": {0: "batch_size"}})
    layers, heads, head_dim = config.decoder_layers, config.decoder_attention_heads, config.d_model // config.decoder_attention_heads
    past_names = [f"past_key_values.{i}.decoder.{kv}" for i in range(layers) for kv in ("key", "value")]
    present_names = [n.replace("past_key_values", "present") for n in past_names]
    dynamic = {"input_ids": {0: "batch_size", 1: "decoder_sequence_length"}, "encoder_hidden_states": {0: "batch_size"},
               "logits": {0: "batch_size", 1: "decoder_sequence_length"}}
    dynamic.update({n: {0: "batch_size", 2: "past_decoder_sequence_length"} for n in past_names})
    dynamic.update({n: {0: "batch_size", 2: "total_sequence_length"} for n in present_names})
    enc_dummy = torch.randn(1, 1500, config.d_model)
    past_dummy = tuple(torch.randn(1, heads, 3, head_dim) for _ in past_names)
    export(CachedDecoder(model), (torch.tensor([[sot]]), enc_dummy, *past_dummy), dec_path, ["input_ids", "encoder_hidden_states", *past_names],
           ["logits", *present_names], dynamic)
    check_decoder(model, enc_path, dec_path, past_names, [sot, ids["<|en|>"], ids["<|transcribe|>"], 300, 301])

    audio_dir = out / "audio"
    audio_dir.mkdir()
    features_dir = out / "features"
    features_dir.mkdir()
    clips = {}
    for i, (name, seconds) in enumerate(CLIPS.items()):
        samples = write_wav16(audio_dir / f"{name}.wav", tone(RATE, seconds, [180 + 70 * i, 450, 1200], 0.03, 10 + i), RATE)
        feats = extractor(samples, sampling_rate=RATE, return_tensors="pt").input_features
        frames = int(np.ceil(len(samples) / extractor.hop_length)) + 1
        feats[0, :, :frames].numpy().astype("<f4").tofile(features_dir / f"{name}.f32")
        with torch.no_grad():
            # As Rosetta does: detect the language from one step after <|startoftranscript|>, then transcribe in it.
            language = tokenizer.convert_ids_to_tokens(int(model.detect_language(input_features=feats)[0]))[2:-2]
            generated = model.generate(input_features=feats, return_timestamps=True, max_new_tokens=440, task="transcribe", language=language)
        seq = (generated if torch.is_tensor(generated) else generated["sequences"])[0].tolist()
        first = first_pass(seq, notimestamps + 1)
        decoded = tokenizer.decode(first, output_offsets=True)
        clips[name] = {
            "wav": f"audio/{name}.wav", "samples": len(samples), "features": f"features/{name}.f32", "feature_frames": frames,
            "language": language, "generated_ids": seq, "first_pass_ids": first, "first_pass_text": decoded["text"],
            "first_pass_offsets": [{"timestamp": list(o["timestamp"]), "text": o["text"]} for o in decoded["offsets"]],
        }

    write_json(out / "reference.json", {
        "about": "Hugging Face transformers (PyTorch) outputs for the random-weight Whisper in model/; see scripts/parity/README.md",
        "versions": env_report(), "clips": clips,
    })
    return out


def first_pass(ids: list[int], timestamp_begin: int) -> list[int]:
    """generate() may run several passes over the window (its seek loop); the first ends where timestamps restart."""
    last = -1
    for i, token in enumerate(ids):
        if token >= timestamp_begin:
            if token < last:
                return ids[:i]
            last = token
    return ids


def check_decoder(model, enc_path, dec_path, past_names, prompt):
    """The exported pair reproduces PyTorch's logits, with and without a cache."""
    feats = torch.randn(1, 80, 3000)
    with torch.no_grad():
        want = model(input_features=feats, decoder_input_ids=torch.tensor([prompt])).logits[0].numpy()
    enc = ort.InferenceSession(str(enc_path)).run(None, {"input_features": feats.numpy()})[0]
    dec = ort.InferenceSession(str(dec_path))
    empty = {n: np.zeros((1, 2, 0, 8), dtype=np.float32) for n in past_names}
    first = dec.run(None, {"input_ids": np.array([prompt[:-1]]), "encoder_hidden_states": enc, **empty})
    past = dict(zip(past_names, first[1:]))
    second = dec.run(None, {"input_ids": np.array([prompt[-1:]]), "encoder_hidden_states": enc, **past})
    got = np.concatenate([first[0][0], second[0][0]])
    assert np.abs(got - want).max() < 1e-4, f"decoder export differs from PyTorch by {np.abs(got - want).max()}"
