"""CLIP ViT-B/32 parity fixture: the real tokenizer and processor files, a random-weight CLIPModel of the same
classes (2 layers, width 16/32), exported as Transformers.js' text_model.onnx / vision_model.onnx, and the
outputs Hugging Face transformers computes in PyTorch."""
from __future__ import annotations

import shutil
import tempfile

import numpy as np
import torch
from PIL import Image, ImageDraw
from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPTextModelWithProjection, CLIPTokenizer, CLIPVisionModelWithProjection

from common import CLIP_REFERENCE, FIXTURES, export, fresh_dir, rounded, seed, shrink_weights, write_json, env_report

TEXTS = [
    "a photo of a cat",
    "A PHOTO of a Cat!!",
    "  two   spaces\tand a tab\nand a newline ",
    "Café crème brûlée, naïve façade",
    "東京の夜景 and Zürich",
    "a 🐶 and a 🐱 playing in the snow",
    "it's 3.14 o'clock, isn't it? don't #tag @user",
    "&amp; &lt;b&gt;html&lt;/b&gt; entities",
    " ".join(f"word{i}" for i in range(120)),
    ("A long description of a busy street market at dusk, where vendors sell fruit, vegetables, spices, fabrics and "
     "hand-made pottery under strings of warm lights, while children run between the stalls, a dog sleeps beside a "
     "bicycle, an old man plays the accordion, tourists take photographs of everything, and the smell of grilled "
     "corn and roasted chestnuts drifts across the square towards the old stone church with its tall clock tower."),
]


def make_images(folder):
    """Pictures written as PNG. Shrunk to 224 on the short side: an opaque scene, per-pixel noise, a transparent PNG.
    Enlarged: a small scene (×1.5) and small noise (×9.3)."""
    rng = np.random.default_rng(7)

    def scene(w, h):
        img = Image.new("RGB", (w, h), (48, 112, 176))
        d = ImageDraw.Draw(img)
        for x in range(w):
            d.line([(x, h * 3 // 4), (x, h - 1)], fill=(x * 255 // (w - 1), 90, 255 - x * 255 // (w - 1)))
        d.rectangle([w // 8, h // 7, w * 3 // 4, h * 3 // 4], fill=(250, 220, 20))
        d.ellipse([w * 2 // 3, h // 2, w * 9 // 10, h * 9 // 10], fill=(255, 255, 255))
        d.text((w // 5, h // 3), "Rosetta", fill=(10, 10, 10))
        return img

    noise = Image.fromarray((rng.integers(0, 256, (480, 300, 3)) // 64 * 85).astype(np.uint8))
    ImageDraw.Draw(noise).ellipse([40, 140, 260, 360], fill=(200, 40, 40))
    rgba = np.zeros((320, 400, 4), dtype=np.uint8)  # fully transparent, hidden colour black (what editors write)
    transparent = Image.fromarray(rgba, "RGBA")
    d = ImageDraw.Draw(transparent)
    d.ellipse([60, 40, 260, 240], fill=(220, 30, 30, 255))
    d.rectangle([200, 120, 380, 200], fill=(20, 60, 220, 128))
    small_noise = Image.fromarray(rng.integers(0, 256, (24, 40, 3)).astype(np.uint8))
    images = {"scene": scene(480, 300), "noise": noise, "transparent": transparent, "small_scene": scene(150, 100), "small_noise": small_noise}
    for name, img in images.items():
        img.save(folder / f"{name}.png")
    return {name: Image.open(folder / f"{name}.png") for name in images}


def on_white(img: Image.Image) -> Image.Image:
    if img.mode != "RGBA":
        return img.convert("RGB")
    white = Image.new("RGBA", img.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, img).convert("RGB")


def build():
    out = fresh_dir(FIXTURES / "clip")
    model_dir = out / "model"
    seed(0)
    config = CLIPConfig.from_pretrained(CLIP_REFERENCE)
    for tower, width in (("text_config", 16), ("vision_config", 32)):
        c = getattr(config, tower)
        c.hidden_size, c.intermediate_size, c.num_hidden_layers, c.num_attention_heads = width, width * 2, 2, 2
    config.projection_dim = config.text_config.projection_dim = config.vision_config.projection_dim = 16
    model = CLIPModel(config).eval()
    shrink_weights(model)
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        text = CLIPTextModelWithProjection.from_pretrained(tmp, attn_implementation="eager").eval()
        vision = CLIPVisionModelWithProjection.from_pretrained(tmp, attn_implementation="eager").eval()
    model_dir.mkdir()
    model.config.save_pretrained(model_dir)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "preprocessor_config.json"):
        shutil.copy(CLIP_REFERENCE / name, model_dir / name)

    class Text(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            o = self.m(input_ids=input_ids, attention_mask=attention_mask)
            return o.text_embeds, o.last_hidden_state

    class Vision(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, pixel_values):
            o = self.m(pixel_values=pixel_values)
            return o.image_embeds, o.last_hidden_state

    ids = torch.tensor([[49406, 320, 1125, 49407, 49407], [49406, 320, 1125, 539, 49407]])
    export(Text(text), (ids, torch.ones_like(ids)), model_dir / "onnx" / "text_model.onnx", ["input_ids", "attention_mask"],
           ["text_embeds", "last_hidden_state"], {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                                                   "text_embeds": {0: "batch"}, "last_hidden_state": {0: "batch", 1: "sequence"}})
    export(Vision(vision), (torch.randn(2, 3, 224, 224),), model_dir / "onnx" / "vision_model.onnx", ["pixel_values"],
           ["image_embeds", "last_hidden_state"], {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}, "last_hidden_state": {0: "batch"}})

    # Reference: tokenizer, text embeddings.
    tokenizer = CLIPTokenizer.from_pretrained(CLIP_REFERENCE)
    tok = tokenizer(TEXTS, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        text_embeds = text(**tok).text_embeds

    # Reference: image processor (PIL bicubic, as the model was trained) and image embeddings.
    images_dir = out / "images"
    images_dir.mkdir()
    images = make_images(images_dir)
    processor = CLIPImageProcessor.from_pretrained(CLIP_REFERENCE)
    assert type(processor).__name__.endswith("Pil"), "the PIL backend (install no torchvision: it would switch the resize)"
    mean = np.array(processor.image_mean, dtype=np.float32)[:, None, None]
    std = np.array(processor.image_std, dtype=np.float32)[:, None, None]
    pixels_dir = out / "pixels"
    pixels_dir.mkdir()
    image_refs = {}
    for name, img in images.items():
        raw = processor(images=img, do_rescale=False, do_normalize=False, return_tensors="np").pixel_values[0]
        u8 = np.round(raw).astype(np.uint8)
        assert np.abs(raw - u8).max() < 1e-3, "PIL's resize gives whole grey levels"
        # transformers' convert_rgb composites transparent pixels on white, as Rosetta's decoder does.
        white = processor(images=on_white(img), do_rescale=False, do_normalize=False, return_tensors="np").pixel_values[0]
        assert np.array_equal(raw, white), f"{name}: HF's RGB conversion composites on white"
        Image.fromarray(u8.transpose(1, 2, 0)).save(pixels_dir / f"{name}.png")
        full = processor(images=img, return_tensors="pt").pixel_values
        rebuilt = (u8.astype(np.float32) * np.float32(processor.rescale_factor) - mean) / std
        assert np.abs(full[0].numpy() - rebuilt).max() < 1e-5, "pixel_values = (u8 / 255 - mean) / std"
        with torch.no_grad():
            emb = vision(pixel_values=full).image_embeds[0]
        # What the hidden colour under transparent pixels would do, had the alpha been dropped instead.
        dropped = None
        if img.mode == "RGBA":
            with torch.no_grad():
                dropped = rounded(vision(pixel_values=processor(images=Image.fromarray(np.asarray(img)[..., :3]), return_tensors="pt").pixel_values).image_embeds[0])
        image_refs[name] = {"size": list(img.size), "pixels": f"pixels/{name}.png", "image_embeds": rounded(emb), "alpha_dropped_embeds": dropped}

    write_json(out / "reference.json", {
        "about": "Hugging Face transformers (PyTorch) outputs for the random-weight CLIP in model/; see scripts/parity/README.md",
        "versions": env_report(),
        "texts": TEXTS,
        "input_ids": tok.input_ids.tolist(),
        "attention_mask": tok.attention_mask.tolist(),
        "text_embeds": rounded(text_embeds),
        "image_mean": processor.image_mean, "image_std": processor.image_std, "rescale_factor": processor.rescale_factor,
        "images": image_refs,
    })
    return out
