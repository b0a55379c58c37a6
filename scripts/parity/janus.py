"""Janus parity fixture (text -> image): a random-weight JanusForConditionalGeneration (Llama language model, SigLIP-like
vision tower, VQ-VAE image decoder; tiny widths, 16 image tokens decoded to 16x16 pixels) with Janus' special tokens and
chat format, exported in the layout Transformers.js' MultiModalityCausalLM loads (prepare_inputs_embeds, language_model,
lm_head, gen_head, gen_img_embeds, image_decode), and what Hugging Face transformers computes in PyTorch: prompt ids
(JanusProcessor, generation_mode="image"), the unconditional prompt of classifier-free guidance, the first guided
step's logits, greedy image-token ids with guidance 5 (HF's default) and without guidance, and decoded pixels.

Only the text -> image path is exported (the one Rosetta runs): prepare_inputs_embeds here embeds token ids and has no
image-understanding inputs. The chat template `text_to_image` in tokenizer_config.json is this script's rendering of
Janus' prompt format (the hub file is not readable here); it produces the same text as HF's template plus
<begin_of_image>, which the test checks id by id."""
from __future__ import annotations

import json

import numpy as np
import onnxruntime as ort
import torch
from PIL import Image
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import (GenerationConfig, JanusConfig, JanusForConditionalGeneration, JanusProcessor, LlamaConfig,
                          PreTrainedTokenizerFast)
from transformers.models.janus import image_processing_pil_janus
from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

from common import FIXTURES, env_report, export, fresh_dir, rounded, seed, shrink_weights, write_json

PROMPTS = ["a red apple on a wooden table", "A lighthouse at night, stars above the sea."]
CORPUS = PROMPTS + ["a photo of a cat", "a painting of a mountain lake at sunrise", "User Assistant: image of the sea"]
BOS, EOS, PAD = "<\uff5cbegin\u2581of\u2581sentence\uff5c>", "<\uff5cend\u2581of\u2581sentence\uff5c>", "<\uff5c\u2581pad\u2581\uff5c>"
USER, ASSISTANT = "<|User|>", "<|Assistant|>"
IMAGE, BOI, EOI = "<image_placeholder>", "<begin_of_image>", "<end_of_image>"
HF_TEMPLATE = ("{%for message in messages%}{%if message['role']|lower=='user'%}<|User|>: {%else%}{{message['role'].capitalize()}}: {%endif%}"
               "{%for content in message['content']%}{%if content['type']=='text'%}{{content['text'].strip()}}{%endif%}{%endfor%}"
               "{{'\\n\\n'}}{%endfor%}{%if add_generation_prompt%}<|Assistant|>:{%endif%}")
# Transformers.js: VLChatProcessor renders `text_to_image` (no tokenizer specials added), Rosetta passes role <|User|>.
TJS_TEMPLATE = ("{{bos_token}}{%for message in messages%}{{message['role']}}: {{message['content'].strip()}}{{'\\n\\n'}}{%endfor%}"
                "<|Assistant|>:<begin_of_image>")
NUM_IMAGE_TOKENS = 16
CODEBOOK = 64
GUIDANCE = 5.0


def make_tokenizer(folder) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, min_frequency=1, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS * 3, trainer)
    # specials after the text vocabulary, as in Janus (ids 100000+ there): all above the 64-entry image codebook
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in (BOS, EOS, PAD, IMAGE, BOI, EOI)])
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in (USER, ASSISTANT)])
    bos_id = tok.token_to_id(BOS)
    tok.post_processor = processors.TemplateProcessing(single=f"{BOS} $A", pair=f"{BOS} $A $B", special_tokens=[(BOS, bos_id)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=BOS, eos_token=EOS, pad_token=PAD, model_max_length=16384,
                                   extra_special_tokens={"image_token": IMAGE, "boi_token": BOI, "eoi_token": EOI})
    fast.save_pretrained(folder)
    path = folder / "tokenizer_config.json"
    cfg = json.loads(path.read_text())
    cfg["tokenizer_class"] = "LlamaTokenizerFast"
    cfg["chat_template"] = [{"name": "default", "template": HF_TEMPLATE}, {"name": "text_to_image", "template": TJS_TEMPLATE}]
    path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n")
    return PreTrainedTokenizerFast.from_pretrained(folder, extra_special_tokens={"image_token": IMAGE, "boi_token": BOI, "eoi_token": EOI})


class Embed(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.e = m.get_input_embeddings()

    def forward(self, input_ids):
        return self.e(input_ids)


class Head(torch.nn.Module):
    def __init__(self, head):
        super().__init__()
        self.head = head

    def forward(self, hidden_states):
        return self.head(hidden_states)


class GenEmbeds(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, image_ids):
        return self.m.prepare_embeddings_for_image_generation(image_ids)


class Decode(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.vq = m.model.vqmodel

    def forward(self, generated_tokens):
        return self.vq.decode(generated_tokens)


class CachedLlama(torch.nn.Module):
    """The Llama language model written out over its own modules, with an explicit key/value cache so it traces
    (past_key_values.N.key/value in, present.N.key/value out). Masked keys get the dtype's minimum, as HF's eager
    attention does: a row whose every key is masked attends uniformly."""

    def __init__(self, m):
        super().__init__()
        self.lm = m.model.language_model

    def forward(self, inputs_embeds, attention_mask, position_ids, *past):
        lm = self.lm
        past_len = past[0].shape[2]
        steps = inputs_embeds.shape[1]
        x = inputs_embeds
        cos, sin = lm.rotary_emb(x, position_ids)
        q_pos = torch.arange(steps) + past_len
        causal = torch.arange(steps + past_len)[None, None, None, :] <= q_pos[None, None, :, None]
        allowed = causal & (attention_mask[:, None, None, :] != 0)
        presents = []
        for i, layer in enumerate(lm.layers):
            a = layer.self_attn
            h = layer.input_layernorm(x)
            b, s, _ = h.shape
            q = a.q_proj(h).view(b, s, -1, a.head_dim).transpose(1, 2)
            k = a.k_proj(h).view(b, s, -1, a.head_dim).transpose(1, 2)
            v = a.v_proj(h).view(b, s, -1, a.head_dim).transpose(1, 2)
            q, k = apply_rotary_pos_emb(q, k, cos, sin)
            k = torch.cat([past[2 * i], k], dim=2)
            v = torch.cat([past[2 * i + 1], v], dim=2)
            presents += [k, v]
            w = torch.matmul(q, k.transpose(-1, -2)) * a.scaling
            w = w.masked_fill(~allowed, torch.finfo(w.dtype).min)
            o = torch.matmul(torch.softmax(w, dim=-1), v).transpose(1, 2).reshape(b, s, -1)
            x = x + a.o_proj(o)
            x = x + layer.mlp(layer.post_attention_layernorm(x))
        return (lm.norm(x), *presents)


def build():
    out = fresh_dir(FIXTURES / "janus")
    model_dir = out / "model"
    model_dir.mkdir()
    tokenizer = make_tokenizer(model_dir)
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in (BOS, EOS, PAD, IMAGE, BOI, EOI)}
    seed(0)
    text = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                       num_key_value_heads=4, max_position_embeddings=256, bos_token_id=ids[BOS], eos_token_id=ids[EOS], pad_token_id=ids[PAD])
    vision = dict(hidden_size=16, num_hidden_layers=1, num_attention_heads=2, image_size=64, patch_size=16, projection_dim=32,
                  num_image_tokens=NUM_IMAGE_TOKENS)
    vq = dict(embed_dim=8, num_embeddings=CODEBOOK, latent_channels=32, base_channels=32, channel_multiplier=[1, 1, 2], num_res_blocks=1,
              num_patches=4, projection_dim=32, image_token_embed_dim=32)
    config = JanusConfig(text_config=text.to_dict(), vision_config=vision, vq_config=vq, image_token_id=ids[IMAGE])
    model = JanusForConditionalGeneration(config).eval()
    with torch.no_grad():  # HF's init (std 0.02) gives near-uniform logits; widen so greedy choices have margins
        for name, p in model.named_parameters():
            if p.dim() >= 2 and "vqmodel" not in name:
                p.mul_(8.0)
    shrink_weights(model)
    model.generation_config = GenerationConfig(bos_token_id=ids[BOS], eos_token_id=ids[EOS], pad_token_id=ids[PAD], guidance_scale=GUIDANCE,
                                               temperature=1.0, generation_kwargs={"boi_token_id": ids[BOI]})
    image_processor = image_processing_pil_janus.JanusImageProcessorPil(size={"height": 64, "width": 64}, image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5])
    processor = JanusProcessor(image_processor=image_processor, tokenizer=tokenizer, chat_template=HF_TEMPLATE, num_image_tokens=NUM_IMAGE_TOKENS)

    # What Transformers.js reads: config.json (model_type multi_modality, language_config), generation_config.json
    # (the hub file's fields: sampling at 0.7 / top-p 0.95, no guidance_scale), processor_config.json, preprocessor_config.json
    write_json(model_dir / "config.json", {
        "architectures": ["MultiModalityCausalLM"], "model_type": "multi_modality",
        "language_config": {"model_type": "llama", "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                            "num_key_value_heads": 4, "max_position_embeddings": 256, "vocab_size": len(tokenizer)},
        "hf_janus_config": json.loads(config.to_json_string()),
    })
    write_json(model_dir / "generation_config.json", {"bos_token_id": ids[BOS], "eos_token_id": ids[EOS], "do_sample": True,
                                                      "num_image_tokens": NUM_IMAGE_TOKENS, "pad_token_id": ids[PAD], "temperature": 0.7, "top_p": 0.95})
    write_json(model_dir / "processor_config.json", {"processor_class": "VLChatProcessor", "image_tag": IMAGE, "image_start_tag": BOI,
                                                     "image_end_tag": EOI, "num_image_tokens": NUM_IMAGE_TOKENS, "add_special_token": False,
                                                     "ignore_id": -100, "mask_prompt": True, "sft_format": "deepseek"})
    write_json(model_dir / "preprocessor_config.json", {"image_processor_type": "VLMImageProcessor", "processor_class": "VLChatProcessor", "background_color": [127, 127, 127],
                                                        "do_normalize": True, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5],
                                                        "image_size": 64, "min_size": 14, "rescale_factor": 1 / 255, "do_rescale": True})

    onnx = model_dir / "onnx"
    layers, heads, head_dim = 2, 4, 8
    export(Embed(model), (torch.tensor([[ids[BOS], 5, 6]]),), onnx / "prepare_inputs_embeds.onnx", ["input_ids"], ["inputs_embeds"],
           {"input_ids": {0: "batch_size", 1: "sequence_length"}, "inputs_embeds": {0: "batch_size", 1: "sequence_length"}})
    past_names = [f"past_key_values.{i}.{kv}" for i in range(layers) for kv in ("key", "value")]
    present_names = [n.replace("past_key_values", "present") for n in past_names]
    dynamic = {"inputs_embeds": {0: "batch_size", 1: "sequence_length"}, "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
               "position_ids": {0: "batch_size", 1: "sequence_length"}, "hidden_states": {0: "batch_size", 1: "sequence_length"}}
    dynamic.update({n: {0: "batch_size", 2: "past_sequence_length"} for n in past_names})
    dynamic.update({n: {0: "batch_size", 2: "total_sequence_length"} for n in present_names})
    past_dummy = tuple(torch.randn(2, heads, 3, head_dim) for _ in past_names)
    export(CachedLlama(model), (torch.randn(2, 2, 32), torch.ones(2, 5, dtype=torch.long), torch.tensor([[3, 4], [3, 4]]), *past_dummy),
           onnx / "language_model.onnx", ["inputs_embeds", "attention_mask", "position_ids", *past_names], ["hidden_states", *present_names], dynamic)
    hd = {"hidden_states": {0: "batch_size", 1: "sequence_length"}, "logits": {0: "batch_size", 1: "sequence_length"}}
    export(Head(model.lm_head), (torch.randn(1, 2, 32),), onnx / "lm_head.onnx", ["hidden_states"], ["logits"], hd)
    export(Head(model.model.generation_head), (torch.randn(1, 2, 32),), onnx / "gen_head.onnx", ["hidden_states"], ["logits"], hd)
    export(GenEmbeds(model), (torch.tensor([[3], [3]]),), onnx / "gen_img_embeds.onnx", ["image_ids"], ["inputs_embeds"],
           {"image_ids": {0: "batch_size", 1: "sequence_length"}, "inputs_embeds": {0: "batch_size", 1: "sequence_length"}})
    export(Decode(model), (torch.randint(0, CODEBOOK, (1, NUM_IMAGE_TOKENS)),), onnx / "image_decode.onnx", ["generated_tokens"], ["decoded_image"],
           {"generated_tokens": {0: "batch_size"}, "decoded_image": {0: "batch_size"}})

    cases = []
    for prompt in PROMPTS:
        chat = processor.apply_chat_template([{"role": "user", "content": [{"type": "text", "text": prompt}]}], add_generation_prompt=True)
        inputs = processor(text=chat, generation_mode="image", return_tensors="pt")
        prompt_ids = inputs.input_ids[0].tolist()
        uncond = [t if t in (ids[BOS], ids[BOI]) else ids[PAD] for t in prompt_ids]
        with torch.no_grad():
            guided = model.generate(**inputs, generation_mode="image", do_sample=False, guidance_scale=GUIDANCE)[0].tolist()
            unguided = unguided_greedy(model, prompt_ids)
            # the first step's guided logits: HF's CFG processor on the gen head's scores for [prompt, unconditional prompt]
            hidden = model.model.language_model(input_ids=torch.tensor([prompt_ids, uncond])).last_hidden_state[:, -1]
            scores = model.model.generation_head(hidden)
            first = scores[1] + GUIDANCE * (scores[0] - scores[1])
        check_export(model, onnx, past_names, prompt_ids, uncond, guided, first)
        cases.append({"prompt": prompt, "chat": chat, "prompt_ids": prompt_ids, "unconditional_ids": uncond,
                      "first_guided_logits": rounded(first.numpy(), 5), "greedy_guided": guided, "greedy_unguided": unguided})

    tokens = torch.tensor([list(range(0, 2 * NUM_IMAGE_TOKENS, 2)), [(7 * i + 3) % CODEBOOK for i in range(NUM_IMAGE_TOKENS)]])
    decoded = []
    with torch.no_grad():
        pixels = model.decode_image_tokens(tokens)  # (batch, H, W, 3) in [-1, 1]
    images = processor.postprocess(list(pixels.permute(0, 3, 1, 2).float()), return_tensors="PIL.Image.Image")["pixel_values"]
    for i, img in enumerate(images):
        img.save(out / f"decoded-{i}.png")
        decoded.append({"tokens": tokens[i].tolist(), "png": f"decoded-{i}.png", "size": list(img.size),
                        "raw_mean": float(pixels[i].mean())})
    write_json(out / "reference.json", {
        "about": "Hugging Face transformers (PyTorch) outputs for the random-weight Janus in model/; see scripts/parity/README.md",
        "versions": env_report(), "guidance_scale": GUIDANCE, "num_image_tokens": NUM_IMAGE_TOKENS,
        "special_ids": {"bos": ids[BOS], "eos": ids[EOS], "pad": ids[PAD], "boi": ids[BOI]},
        "cases": cases, "decoded": decoded,
    })
    return out


def unguided_greedy(model, prompt_ids):
    """Greedy image tokens without guidance. HF's generate cannot do this (guidance_scale <= 1 still doubles the batch
    and then fails to store two tokens per image), so this is its loop over the same modules, conditional row only."""
    lm = model.model.language_model
    out = lm(input_ids=torch.tensor([prompt_ids]), use_cache=True)
    got = []
    for _ in range(NUM_IMAGE_TOKENS):
        tok = int(torch.argmax(model.model.generation_head(out.last_hidden_state[:, -1]), dim=-1)[0])
        got.append(tok)
        out = lm(inputs_embeds=model.prepare_embeddings_for_image_generation(torch.tensor([[tok]])), past_key_values=out.past_key_values, use_cache=True)
    return got


def check_export(model, onnx, past_names, prompt_ids, uncond, guided, first):
    """The six graphs, run the way HF's generate runs the model (both rows attended, positions 0..n), reproduce the first
    guided logits and HF's greedy guided ids; image_decode reproduces vqmodel.decode."""
    s = lambda f: ort.InferenceSession(str(onnx / f))  # noqa: E731
    emb, lm, gen_head, gen_emb = s("prepare_inputs_embeds.onnx"), s("language_model.onnx"), s("gen_head.onnx"), s("gen_img_embeds.onnx")
    x = emb.run(None, {"input_ids": np.array([prompt_ids, uncond])})[0]
    n = len(prompt_ids)
    past = {p: np.zeros((2, 4, 0, 8), dtype=np.float32) for p in past_names}
    got = []
    for step in range(len(guided)):
        total = n + step
        pos = np.arange(total - x.shape[1], total)[None].repeat(2, 0)
        outs = lm.run(None, {"inputs_embeds": x, "attention_mask": np.ones((2, total), dtype=np.int64), "position_ids": pos, **past})
        logits = gen_head.run(None, {"hidden_states": outs[0][:, -1:]})[0][:, 0]
        guided_logits = logits[1] + GUIDANCE * (logits[0] - logits[1])
        if step == 0:
            diff = np.abs(guided_logits - first.numpy()).max()
            assert diff < 1e-3 * max(1.0, np.abs(first.numpy()).max()), f"first guided logits differ by {diff}"
        tok = int(np.argmax(guided_logits))
        got.append(tok)
        past = dict(zip(past_names, outs[1:]))
        x = gen_emb.run(None, {"image_ids": np.array([[tok], [tok]])})[0]
    assert got == guided, f"greedy ids through the graphs {got} != PyTorch's {guided}"
    tokens = np.array([guided])
    dec = s("image_decode.onnx").run(None, {"generated_tokens": tokens})[0]
    with torch.no_grad():
        want = model.model.vqmodel.decode(torch.tensor(tokens)).numpy()
    assert np.abs(dec - want).max() < 1e-4, f"image_decode differs by {np.abs(dec - want).max()}"
