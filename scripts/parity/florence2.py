"""Florence-2 parity fixture: a random-weight Florence2ForConditionalGeneration (DaViT vision tower and BART, tiny
widths) with Florence-2's processor settings (768×768 bicubic, ImageNet mean/std, 577 image tokens; the task prompts
and answer types copied from Hugging Face's Florence2Processor into preprocessor_config.json, where Transformers.js
reads them) and a small BART byte-level BPE vocabulary, exported as Transformers.js' vision_encoder / embed_tokens /
encoder_model / decoder_model_merged, and what Hugging Face transformers computes in PyTorch for <CAPTION>,
<MORE_DETAILED_CAPTION> and <OCR>: prompt ids, greedy generated ids, the post-processed answer."""
from __future__ import annotations

import json

import numpy as np
import onnxruntime as ort
import torch
from PIL import Image, ImageDraw
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import (BartConfig, CLIPImageProcessor, Florence2Config, Florence2ForConditionalGeneration, Florence2Processor,
                          GenerationConfig, PreTrainedTokenizerFast)

from common import FIXTURES, env_report, export, fresh_dir, seed, shrink_weights, write_json

TASKS = ["<CAPTION>", "<MORE_DETAILED_CAPTION>", "<OCR>"]
CORPUS = ["What does the image describe?", "Describe in detail what is shown in the image.", "Describe with a paragraph what is shown in the image.",
          "What is the text in the image?", "a dog on a beach", "a red car parked in a street", "a plate of food"]


def make_tokenizer(folder) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=450, min_frequency=1, special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS * 3, trainer)
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=False)
    tok.add_special_tokens([AddedToken("<image>", special=True, normalized=False)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>", unk_token="<unk>",
                                   pad_token="<pad>", model_max_length=1024, extra_special_tokens={"image_token": "<image>"})
    fast.save_pretrained(folder)
    path = folder / "tokenizer_config.json"
    cfg = json.loads(path.read_text())
    cfg["tokenizer_class"] = "BartTokenizer"
    path.write_text(json.dumps(cfg, indent=2) + "\n")
    return PreTrainedTokenizerFast.from_pretrained(folder)


def make_images(folder):
    photo = Image.new("RGB", (640, 480), (120, 170, 220))
    d = ImageDraw.Draw(photo)
    d.rectangle([0, 330, 639, 479], fill=(70, 140, 60))
    d.ellipse([250, 150, 420, 380], fill=(190, 90, 40))
    d.text((30, 30), "OPEN 9-5", fill=(0, 0, 0))
    photo.save(folder / "photo.png")
    return {"photo": Image.open(folder / "photo.png").convert("RGB")}


class Vision(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, pixel_values):
        return self.m.model.get_image_features(pixel_values).pooler_output


class Embed(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.e = m.model.language_model.get_input_embeddings()

    def forward(self, input_ids):
        return self.e(input_ids)


class Encoder(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.enc = m.model.language_model.encoder

    def forward(self, inputs_embeds, attention_mask):
        return self.enc(inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state


class CachedDecoder(torch.nn.Module):
    """BART's decoder written out over the same modules, with an explicit self-attention cache so it traces."""

    def __init__(self, m):
        super().__init__()
        self.d = m.model.language_model.decoder
        self.lm_head = m.lm_head

    @staticmethod
    def heads(x, attn):
        b, s, _ = x.shape
        return x.view(b, s, attn.num_heads, attn.head_dim).transpose(1, 2)

    def attend(self, attn, q, k, v, mask):
        w = torch.matmul(q * attn.scaling, k.transpose(-1, -2))
        w = w.masked_fill(mask, torch.finfo(w.dtype).min)
        o = torch.matmul(torch.softmax(w, dim=-1), v).transpose(1, 2)
        return attn.out_proj(o.reshape(o.shape[0], o.shape[1], -1))

    def forward(self, inputs_embeds, encoder_attention_mask, encoder_hidden_states, *past):
        d = self.d
        past_len = past[0].shape[2]
        steps = inputs_embeds.shape[1]
        pos = torch.arange(steps) + past_len
        x = d.layernorm_embedding(inputs_embeds + d.embed_positions.weight[pos + d.embed_positions.offset][None])
        causal = torch.arange(steps + past_len)[None, None, None, :] > pos[None, None, :, None]
        cross = (encoder_attention_mask == 0)[:, None, None, :]
        presents = []
        for i, layer in enumerate(d.layers):
            a = layer.self_attn
            k = torch.cat([past[2 * i], self.heads(a.k_proj(x), a)], dim=2)
            v = torch.cat([past[2 * i + 1], self.heads(a.v_proj(x), a)], dim=2)
            presents += [k, v]
            x = layer.self_attn_layer_norm(x + self.attend(a, self.heads(a.q_proj(x), a), k, v, causal))
            c = layer.encoder_attn
            x = layer.encoder_attn_layer_norm(x + self.attend(c, self.heads(c.q_proj(x), c), self.heads(c.k_proj(encoder_hidden_states), c),
                                                               self.heads(c.v_proj(encoder_hidden_states), c), cross))
            x = layer.final_layer_norm(x + layer.fc2(layer.activation_fn(layer.fc1(x))))
        return (self.lm_head(x), *presents)


def build():
    out = fresh_dir(FIXTURES / "florence2")
    model_dir = out / "model"
    model_dir.mkdir()
    tokenizer = make_tokenizer(model_dir)
    image_token_id = tokenizer.convert_tokens_to_ids("<image>")
    seed(0)
    text = BartConfig(vocab_size=len(tokenizer), d_model=16, encoder_layers=1, decoder_layers=2, encoder_attention_heads=2, decoder_attention_heads=2,
                      encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=1024, bos_token_id=0, pad_token_id=1, eos_token_id=2,
                      decoder_start_token_id=2, forced_bos_token_id=0)
    vision = dict(embed_dim=[8, 16, 32, 64], num_heads=[1, 1, 2, 2], num_groups=[1, 1, 2, 2], depths=[1, 1, 1, 1], projection_dim=16,
                  window_size=12, drop_path_rate=0.0)
    config = Florence2Config(text_config=text.to_dict(), vision_config=vision, image_token_id=image_token_id)
    model = Florence2ForConditionalGeneration(config).eval()
    with torch.no_grad():  # HF's init makes a model that repeats one token; widen it so answers vary
        for name, p in model.named_parameters():
            if p.dim() >= 2:
                p.mul_(32.0 if "encoder_attn" in name else 8.0)  # and let the answer depend on the picture and the prompt
    shrink_weights(model)
    model.generation_config = GenerationConfig(decoder_start_token_id=2, bos_token_id=0, eos_token_id=2, pad_token_id=1, forced_bos_token_id=0,
                                               forced_eos_token_id=2)
    model.config.save_pretrained(model_dir)
    model.generation_config.save_pretrained(model_dir)

    image_processor = CLIPImageProcessor(do_resize=True, size={"height": 768, "width": 768}, resample=3, do_center_crop=False,
                                         do_rescale=True, do_normalize=True, image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225])
    assert type(image_processor).__name__.endswith("Pil"), "the PIL backend (install no torchvision: it would switch the resize)"
    image_processor.image_seq_length = 577
    processor = Florence2Processor(image_processor=image_processor, tokenizer=tokenizer, post_processor_config={"pure_text": {}})
    image_processor.save_pretrained(model_dir)
    path = model_dir / "preprocessor_config.json"
    cfg = json.loads(path.read_text())
    cfg.update({"image_seq_length": 577, "processor_class": "Florence2Processor",
                "task_prompts_without_inputs": processor.task_prompts_without_inputs,
                "task_prompts_with_input": processor.task_prompts_with_input,
                "tasks_answer_post_processing_type": processor.tasks_answer_post_processing_type})
    path.write_text(json.dumps(cfg, indent=2) + "\n")

    onnx = model_dir / "onnx"
    export(Vision(model), (torch.randn(1, 3, 768, 768),), onnx / "vision_encoder.onnx", ["pixel_values"], ["image_features"],
           {"pixel_values": {0: "batch_size"}, "image_features": {0: "batch_size"}})
    export(Embed(model), (torch.tensor([[0, 5, 6, 2]]),), onnx / "embed_tokens.onnx", ["input_ids"], ["inputs_embeds"],
           {"input_ids": {0: "batch_size", 1: "sequence_length"}, "inputs_embeds": {0: "batch_size", 1: "sequence_length"}})
    export(Encoder(model), (torch.randn(1, 590, 16), torch.ones(1, 590, dtype=torch.long)), onnx / "encoder_model.onnx",
           ["inputs_embeds", "attention_mask"], ["last_hidden_state"],
           {"inputs_embeds": {0: "batch_size", 1: "encoder_sequence_length"}, "attention_mask": {0: "batch_size", 1: "encoder_sequence_length"},
            "last_hidden_state": {0: "batch_size", 1: "encoder_sequence_length"}})
    layers, heads = text.decoder_layers, text.decoder_attention_heads
    past_names = [f"past_key_values.{i}.decoder.{kv}" for i in range(layers) for kv in ("key", "value")]
    present_names = [n.replace("past_key_values", "present") for n in past_names]
    dynamic = {"inputs_embeds": {0: "batch_size", 1: "decoder_sequence_length"}, "encoder_attention_mask": {0: "batch_size", 1: "encoder_sequence_length"},
               "encoder_hidden_states": {0: "batch_size", 1: "encoder_sequence_length"}, "logits": {0: "batch_size", 1: "decoder_sequence_length"}}
    dynamic.update({n: {0: "batch_size", 2: "past_decoder_sequence_length"} for n in past_names})
    dynamic.update({n: {0: "batch_size", 2: "total_sequence_length"} for n in present_names})
    past_dummy = tuple(torch.randn(1, heads, 3, 16 // heads) for _ in past_names)
    export(CachedDecoder(model), (torch.randn(1, 1, 16), torch.ones(1, 590, dtype=torch.long), torch.randn(1, 590, 16), *past_dummy),
           onnx / "decoder_model_merged.onnx", ["inputs_embeds", "encoder_attention_mask", "encoder_hidden_states", *past_names],
           ["logits", *present_names], dynamic)

    images_dir = out / "images"
    images_dir.mkdir()
    pixels_dir = out / "pixels"
    pixels_dir.mkdir()
    cases = {}
    for name, img in make_images(images_dir).items():
        raw = image_processor(images=img, do_rescale=False, do_normalize=False, return_tensors="np").pixel_values[0]
        u8 = np.round(raw).astype(np.uint8)
        assert np.abs(raw - u8).max() < 1e-3
        Image.fromarray(u8.transpose(1, 2, 0)).save(pixels_dir / f"{name}.png")
        tasks = {}
        for task in TASKS:
            inputs = processor(text=task, images=img, return_tensors="pt")
            with torch.no_grad():
                ids = model.generate(**inputs, max_new_tokens=100, do_sample=False, num_beams=1)
            raw_text = processor.batch_decode(ids, skip_special_tokens=False)[0]
            answer = processor.post_process_generation(raw_text, task=task, image_size=img.size)
            text_ids = [t for t in inputs.input_ids[0].tolist() if t != image_token_id]
            tasks[task] = {"prompt_ids": text_ids, "image_tokens": int((inputs.input_ids[0] == image_token_id).sum()),
                           "generated_ids": ids[0].tolist(), "raw": raw_text, "answer": answer[task]}
        check_export(model, onnx, past_names, inputs)
        cases[name] = {"image": f"images/{name}.png", "pixels": f"pixels/{name}.png", "size": list(img.size), "tasks": tasks}
    write_json(out / "reference.json", {
        "about": "Hugging Face transformers (PyTorch) outputs for the random-weight Florence-2 in model/; see scripts/parity/README.md",
        "versions": env_report(), "cases": cases,
    })
    return out


def check_export(model, onnx, past_names, inputs):
    """The four exported graphs reproduce PyTorch's first two decoder steps' logits."""
    image_token_id = model.config.image_token_id
    text_ids = inputs.input_ids[:, (inputs.input_ids[0] != image_token_id)]
    s = lambda f: ort.InferenceSession(str(onnx / f))  # noqa: E731
    feats = s("vision_encoder.onnx").run(None, {"pixel_values": inputs.pixel_values.numpy()})[0]
    emb = s("embed_tokens.onnx").run(None, {"input_ids": text_ids.numpy()})[0]
    embeds = np.concatenate([feats, emb], axis=1)
    mask = np.ones(embeds.shape[:2], dtype=np.int64)
    enc = s("encoder_model.onnx").run(None, {"inputs_embeds": embeds, "attention_mask": mask})[0]
    dec = s("decoder_model_merged.onnx")
    start = np.array([[2, 0]])
    demb = s("embed_tokens.onnx").run(None, {"input_ids": start})[0]
    empty = {n: np.zeros((1, 2, 0, 8), dtype=np.float32) for n in past_names}
    first = dec.run(None, {"inputs_embeds": demb[:, :1], "encoder_attention_mask": mask, "encoder_hidden_states": enc, **empty})
    second = dec.run(None, {"inputs_embeds": demb[:, 1:], "encoder_attention_mask": mask, "encoder_hidden_states": enc, **dict(zip(past_names, first[1:]))})
    with torch.no_grad():
        want = model(**inputs, decoder_input_ids=torch.tensor(start)).logits[0].numpy()
    got = np.concatenate([first[0][0], second[0][0]])
    assert np.abs(got - want).max() < 1e-3 * max(1.0, np.abs(want).max()), f"export differs from PyTorch by {np.abs(got - want).max()}"
