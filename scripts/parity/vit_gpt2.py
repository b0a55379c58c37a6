"""ViT-GPT2 captioner parity fixture: a random-weight VisionEncoderDecoderModel (ViTModel + GPT2LMHeadModel with
cross-attention, width 16) with ViT-GPT2's image-processor settings and a small GPT-2 byte-level BPE vocabulary,
exported as Transformers.js' encoder_model.onnx and decoder_model_merged.onnx (past_key_values.N.key/value in,
present.N.key/value out; cross-attention recomputed each step), and what Hugging Face transformers computes in PyTorch:
pixel values, greedy caption ids and text (short: 20 new tokens; detailed: 48 with repetition penalty 1.2)."""
from __future__ import annotations

import json

import numpy as np
import onnxruntime as ort
import torch
from PIL import Image, ImageDraw
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (AutoTokenizer, GenerationConfig, GPT2Config, PreTrainedTokenizerFast, ViTConfig, ViTImageProcessor,
                          VisionEncoderDecoderConfig, VisionEncoderDecoderModel)

from common import FIXTURES, env_report, export, fresh_dir, rounded, seed, shrink_weights, write_json

CORPUS = ["a man riding a horse on a beach", "a cat sitting on a red chair", "two dogs playing in the snow",
          "a plate of food with vegetables", "a city street at night with cars", "a bird on a tree branch"]


def make_tokenizer(folder) -> None:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=420, min_frequency=1, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS * 3, trainer)
    tok.add_special_tokens([AddedToken("<|endoftext|>", special=True, normalized=False)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>", eos_token="<|endoftext|>", unk_token="<|endoftext|>",
                                   pad_token="<|endoftext|>", model_max_length=1024)
    fast.save_pretrained(folder)
    path = folder / "tokenizer_config.json"
    cfg = json.loads(path.read_text())
    cfg["tokenizer_class"] = "GPT2Tokenizer"
    path.write_text(json.dumps(cfg, indent=2) + "\n")


def make_images(folder):
    rng = np.random.default_rng(3)
    photo = Image.new("RGB", (400, 300), (90, 140, 200))
    d = ImageDraw.Draw(photo)
    d.rectangle([0, 200, 399, 299], fill=(60, 150, 60))
    d.ellipse([150, 80, 260, 230], fill=(200, 120, 40))
    d.text((20, 20), "caption me", fill=(255, 255, 255))
    noise = Image.fromarray(rng.integers(0, 256, (250, 320, 3)).astype(np.uint8))
    images = {"photo": photo, "noise": noise}
    for name, img in images.items():
        img.save(folder / f"{name}.png")
    return {name: Image.open(folder / f"{name}.png").convert("RGB") for name in images}


class Encoder(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.encoder = m.encoder

    def forward(self, pixel_values):
        return self.encoder(pixel_values=pixel_values).last_hidden_state


class CachedDecoder(torch.nn.Module):
    """GPT-2 with cross-attention written out over the same modules, with an explicit self-attention cache."""

    def __init__(self, m):
        super().__init__()
        self.t = m.decoder.transformer
        self.lm_head = m.decoder.lm_head
        cfg = m.decoder.config
        self.h, self.d = cfg.n_head, cfg.n_embd // cfg.n_head

    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.h, self.d).transpose(1, 2)

    def attend(self, q, k, v, mask=None):
        w = torch.matmul(q, k.transpose(-1, -2)) / (self.d ** 0.5)
        if mask is not None:
            w = w.masked_fill(mask, torch.finfo(w.dtype).min)
        o = torch.matmul(torch.softmax(w, dim=-1), v).transpose(1, 2)
        return o.reshape(o.shape[0], o.shape[1], -1)

    def forward(self, input_ids, encoder_hidden_states, *past):
        t = self.t
        past_len = past[0].shape[2]
        steps = input_ids.shape[1]
        pos = torch.arange(steps) + past_len
        x = t.wte(input_ids) + t.wpe(pos)[None]
        mask = torch.arange(steps + past_len)[None, :] > pos[:, None]
        presents = []
        for i, block in enumerate(t.h):
            h = block.ln_1(x)
            q, k, v = block.attn.c_attn(h).split(t.embed_dim, dim=2)
            k = torch.cat([past[2 * i], self.split(k)], dim=2)
            v = torch.cat([past[2 * i + 1], self.split(v)], dim=2)
            presents += [k, v]
            x = x + block.attn.c_proj(self.attend(self.split(q), k, v, mask))
            h = block.ln_cross_attn(x)
            q = block.crossattention.q_attn(h)
            ck, cv = block.crossattention.c_attn(encoder_hidden_states).split(t.embed_dim, dim=2)
            x = x + block.crossattention.c_proj(self.attend(self.split(q), self.split(ck), self.split(cv)))
            x = x + block.mlp(block.ln_2(x))
        return (self.lm_head(t.ln_f(x)), *presents)


def build():
    out = fresh_dir(FIXTURES / "vit-gpt2")
    model_dir = out / "model"
    model_dir.mkdir()
    make_tokenizer(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    eos = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    seed(0)
    encoder = ViTConfig(image_size=224, patch_size=32, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32)
    decoder = GPT2Config(vocab_size=len(tokenizer), n_positions=64, n_embd=16, n_layer=2, n_head=2, add_cross_attention=True,
                         bos_token_id=eos, eos_token_id=eos, is_decoder=True)
    config = VisionEncoderDecoderConfig.from_encoder_decoder_configs(encoder, decoder)
    config.decoder_start_token_id = config.pad_token_id = config.eos_token_id = eos
    model = VisionEncoderDecoderModel(config=config).eval()
    with torch.no_grad():  # HF's init (std 0.02) makes a model that says one token forever; widen it so captions vary
        for name, p in model.named_parameters():
            if p.dim() >= 2:
                p.mul_(8.0)
    shrink_weights(model)
    model.generation_config = GenerationConfig(decoder_start_token_id=eos, bos_token_id=eos, eos_token_id=eos, pad_token_id=eos)
    model.config.save_pretrained(model_dir)
    model.generation_config.save_pretrained(model_dir)
    processor = ViTImageProcessor(do_resize=True, size={"height": 224, "width": 224}, resample=2, do_normalize=True,
                                  image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5])
    assert type(processor).__name__.endswith("Pil"), "the PIL backend (install no torchvision: it would switch the resize)"
    processor.save_pretrained(model_dir)

    enc_path = model_dir / "onnx" / "encoder_model.onnx"
    dec_path = model_dir / "onnx" / "decoder_model_merged.onnx"
    export(Encoder(model), (torch.randn(1, 3, 224, 224),), enc_path, ["pixel_values"], ["last_hidden_state"],
           {"pixel_values": {0: "batch_size"}, "last_hidden_state": {0: "batch_size"}})
    past_names = [f"past_key_values.{i}.{kv}" for i in range(decoder.n_layer) for kv in ("key", "value")]
    present_names = [n.replace("past_key_values", "present") for n in past_names]
    dynamic = {"input_ids": {0: "batch_size", 1: "sequence_length"}, "encoder_hidden_states": {0: "batch_size"},
               "logits": {0: "batch_size", 1: "sequence_length"}}
    dynamic.update({n: {0: "batch_size", 2: "past_sequence_length"} for n in past_names})
    dynamic.update({n: {0: "batch_size", 2: "total_sequence_length"} for n in present_names})
    past_dummy = tuple(torch.randn(1, decoder.n_head, 3, decoder.n_embd // decoder.n_head) for _ in past_names)
    export(CachedDecoder(model), (torch.tensor([[eos]]), torch.randn(1, 50, 16), *past_dummy), dec_path,
           ["input_ids", "encoder_hidden_states", *past_names], ["logits", *present_names], dynamic)
    check_decoder(model, enc_path, dec_path, past_names, [eos, 40, 41, 300])

    images_dir = out / "images"
    images_dir.mkdir()
    pixels_dir = out / "pixels"
    pixels_dir.mkdir()
    refs = {}
    for name, img in make_images(images_dir).items():
        pixel_values = processor(images=img, return_tensors="pt").pixel_values
        raw = processor(images=img, do_rescale=False, do_normalize=False, return_tensors="np").pixel_values[0]
        u8 = np.round(raw).astype(np.uint8)
        assert np.abs(raw - u8).max() < 1e-3 and np.abs((u8 / 127.5 - 1) - pixel_values[0].numpy()).max() < 1e-5
        Image.fromarray(u8.transpose(1, 2, 0)).save(pixels_dir / f"{name}.png")
        case = {"image": f"images/{name}.png", "pixels": f"pixels/{name}.png"}
        with torch.no_grad():
            for detail, kwargs in (("short", {"max_new_tokens": 20}), ("detailed", {"max_new_tokens": 48, "num_beams": 1, "repetition_penalty": 1.2})):
                ids = model.generate(pixel_values=pixel_values, do_sample=False, **kwargs)[0].tolist()
                case[detail] = {"ids": ids, "text": tokenizer.decode(ids, skip_special_tokens=True).strip()}
        refs[name] = case
    write_json(out / "reference.json", {
        "about": "Hugging Face transformers (PyTorch) outputs for the random-weight ViT-GPT2 in model/; see scripts/parity/README.md",
        "versions": env_report(), "cases": refs,
    })
    return out


def check_decoder(model, enc_path, dec_path, past_names, prompt):
    """The exported pair reproduces PyTorch's logits, with and without a cache."""
    pixels = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        want = model(pixel_values=pixels, decoder_input_ids=torch.tensor([prompt])).logits[0].numpy()
    enc = ort.InferenceSession(str(enc_path)).run(None, {"pixel_values": pixels.numpy()})[0]
    dec = ort.InferenceSession(str(dec_path))
    empty = {n: np.zeros((1, 2, 0, 8), dtype=np.float32) for n in past_names}
    first = dec.run(None, {"input_ids": np.array([prompt[:-1]]), "encoder_hidden_states": enc, **empty})
    second = dec.run(None, {"input_ids": np.array([prompt[-1:]]), "encoder_hidden_states": enc, **dict(zip(past_names, first[1:]))})
    got = np.concatenate([first[0][0], second[0][0]])
    assert np.abs(got - want).max() < 1e-4, f"decoder export differs from PyTorch by {np.abs(got - want).max()}"
