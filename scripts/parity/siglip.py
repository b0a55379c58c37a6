"""SigLIP parity fixture: a random-weight SiglipModel (2 layers, width 16/32, patch 32) with SigLIP's image-processor
settings (224×224, bicubic, mean/std 0.5, no crop) and a small Unigram tokenizer.json (the Transformers.js layout;
the real SigLIP SentencePiece files are not available here, so Hugging Face's own tokenizer for them is not what
this checks), exported as text_model.onnx (input_ids only, as SigLIP is run) / vision_model.onnx, and the outputs
Hugging Face transformers computes in PyTorch."""
from __future__ import annotations

import json
import tempfile

import numpy as np
import torch
from PIL import Image, ImageDraw
from tokenizers import Regex, SentencePieceUnigramTokenizer, normalizers, processors
from transformers import PreTrainedTokenizerFast, SiglipConfig, SiglipImageProcessor, SiglipModel, SiglipTextModel, SiglipVisionModel

from common import FIXTURES, env_report, export, fresh_dir, rounded, seed, shrink_weights, write_json

TEXTS = ["a photo of a cat", "two dogs playing in the snow", "a red car", " ".join(f"word{i}" for i in range(80))]
CORPUS = ["a photo of a cat", "a photo of a dog", "two dogs playing in the snow", "a red car on a street", "word"] + [f"word{i}" for i in range(100)]


def make_tokenizer(folder) -> PreTrainedTokenizerFast:
    sp = SentencePieceUnigramTokenizer()
    sp.train_from_iterator(CORPUS * 4, vocab_size=200, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>", show_progress=False)
    tok = sp._tokenizer  # the wrapper's tokenizers.Tokenizer
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])  # no Nmt: Transformers.js lacks it
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", tok.token_to_id("</s>"))])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="</s>", unk_token="<unk>", pad_token="</s>", model_max_length=64)
    fast.save_pretrained(folder)
    path = folder / "tokenizer_config.json"
    cfg = json.loads(path.read_text())
    cfg["tokenizer_class"] = "SiglipTokenizer"
    path.write_text(json.dumps(cfg, indent=2) + "\n")
    return fast


def make_images(folder):
    rng = np.random.default_rng(11)
    scene = Image.new("RGB", (360, 280), (30, 90, 160))
    d = ImageDraw.Draw(scene)
    d.rectangle([40, 40, 250, 200], fill=(240, 200, 30))
    d.ellipse([200, 120, 340, 260], fill=(255, 255, 255))
    noise = Image.fromarray((rng.integers(0, 256, (300, 260, 3)) // 64 * 85).astype(np.uint8))
    images = {"scene": scene, "noise": noise}
    for name, img in images.items():
        img.save(folder / f"{name}.png")
    return {name: Image.open(folder / f"{name}.png").convert("RGB") for name in images}


def build():
    out = fresh_dir(FIXTURES / "siglip")
    model_dir = out / "model"
    model_dir.mkdir()
    tokenizer = make_tokenizer(model_dir)
    seed(0)
    config = SiglipConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
                         max_position_embeddings=64, projection_size=16),
        vision_config=dict(image_size=224, patch_size=32, hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2),
    )
    model = SiglipModel(config).eval()
    shrink_weights(model)
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        text = SiglipTextModel.from_pretrained(tmp, attn_implementation="eager").eval()
        vision = SiglipVisionModel.from_pretrained(tmp, attn_implementation="eager").eval()
    model.config.save_pretrained(model_dir)
    processor = SiglipImageProcessor(size={"height": 224, "width": 224}, resample=3, image_mean=[0.5] * 3, image_std=[0.5] * 3)
    assert type(processor).__name__.endswith("Pil"), "the PIL backend (install no torchvision: it would switch the resize)"
    processor.save_pretrained(model_dir)

    class Text(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids):
            o = self.m(input_ids=input_ids)
            return o.last_hidden_state, o.pooler_output

    class Vision(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, pixel_values):
            o = self.m(pixel_values=pixel_values)
            return o.last_hidden_state, o.pooler_output

    export(Text(text), (torch.randint(0, len(tokenizer), (2, 64)),), model_dir / "onnx" / "text_model.onnx", ["input_ids"],
           ["last_hidden_state", "pooler_output"], {"input_ids": {0: "batch", 1: "sequence"}, "last_hidden_state": {0: "batch", 1: "sequence"},
                                                    "pooler_output": {0: "batch"}})
    export(Vision(vision), (torch.randn(2, 3, 224, 224),), model_dir / "onnx" / "vision_model.onnx", ["pixel_values"],
           ["last_hidden_state", "pooler_output"], {"pixel_values": {0: "batch"}, "last_hidden_state": {0: "batch"}, "pooler_output": {0: "batch"}})

    tok = tokenizer(TEXTS, padding="max_length", max_length=64, truncation=True, return_tensors="pt")
    with torch.no_grad():
        text_embeds = text(input_ids=tok.input_ids).pooler_output
    images_dir = out / "images"
    images_dir.mkdir()
    pixels_dir = out / "pixels"
    pixels_dir.mkdir()
    image_refs = {}
    for name, img in make_images(images_dir).items():
        raw = processor(images=img, do_rescale=False, do_normalize=False, return_tensors="np").pixel_values[0]
        u8 = np.round(raw).astype(np.uint8)
        assert np.abs(raw - u8).max() < 1e-3
        Image.fromarray(u8.transpose(1, 2, 0)).save(pixels_dir / f"{name}.png")
        full = processor(images=img, return_tensors="pt").pixel_values
        assert np.abs((u8 / 127.5 - 1) - full[0].numpy()).max() < 1e-5
        with torch.no_grad():
            image_refs[name] = {"pixels": f"pixels/{name}.png", "image_embeds": rounded(vision(pixel_values=full).pooler_output[0])}
    write_json(out / "reference.json", {
        "about": "Hugging Face transformers (PyTorch) outputs for the random-weight SigLIP in model/; see scripts/parity/README.md",
        "versions": env_report(), "texts": TEXTS, "input_ids": tok.input_ids.tolist(), "text_embeds": rounded(text_embeds), "images": image_refs,
    })
    return out
