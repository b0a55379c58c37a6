"""Converts a CTranslate2 Whisper model (model.bin + config.json + tokenizer.json, as faster-whisper loads it) into the
layout Rosetta's Whisper path loads through Transformers.js: config.json, generation_config.json,
preprocessor_config.json, tokenizer.json, tokenizer_config.json, onnx/encoder_model.onnx and
onnx/decoder_model_merged.onnx (past key values, a use_cache_branch switch).

No torch: model.bin is read with numpy and Whisper's forward pass is written out op by op with the `onnx` package,
in float32 (the float16 weights are widened, so the numbers are those CTranslate2 computes on a CPU).

  encoder_model.onnx
    input   input_features                      float32 [batch_size, 80, 3000]
    output  last_hidden_state                   float32 [batch_size, 1500, d]
  decoder_model_merged.onnx
    inputs  input_ids                           int64   [batch_size, decoder_sequence_length]
            encoder_hidden_states               float32 [batch_size, encoder_sequence_length_out, d]
            past_key_values.{i}.decoder.key/value  float32 [batch_size, heads, past_decoder_sequence_length, 64]
            past_key_values.{i}.encoder.key/value  float32 [batch_size, heads, encoder_sequence_length_out, 64]
            use_cache_branch                    bool    [1]  (false: the cross-attention keys are computed from
                                                encoder_hidden_states; true: the past ones are reused)
    outputs logits                              float32 [batch_size, decoder_sequence_length, vocabulary]
            present.{i}.decoder.key/value, present.{i}.encoder.key/value

usage: python convert_ct2_whisper.py <CTranslate2 model dir> <output dir>
"""

import json
import struct
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
LN_EPS = 1e-5
# CTranslate2's DataType enum order (float32, int8, int16, int32, float16, bfloat16).
CT2_DTYPES = [np.float32, np.int8, np.int16, np.int32, np.float16, None]


def read_ct2(path: Path):
    """model.bin: version, spec name, spec revision, then named arrays (rank, dims, dtype, bytes), then aliases."""
    raw = path.read_bytes()
    pos = 0

    def take(fmt):
        nonlocal pos
        value = struct.unpack_from("<" + fmt, raw, pos)
        pos += struct.calcsize("<" + fmt)
        return value[0]

    def text():
        nonlocal pos
        length = take("H")
        value = raw[pos:pos + length - 1].decode("utf-8")
        pos += length
        return value

    version = take("I")
    if version < 5:
        sys.exit(f"{path}: CTranslate2 binary version {version} is older than this reader knows (5 or 6)")
    spec = text()
    take("I")  # spec revision
    if spec != "WhisperSpec":
        sys.exit(f"{path} holds a {spec}, not a WhisperSpec")
    arrays = {}
    for _ in range(take("I")):
        name = text()
        rank = take("B")
        shape = [take("I") for _ in range(rank)]
        dtype = CT2_DTYPES[take("B")]
        nbytes = take("I")
        if dtype is None:
            sys.exit(f"{path}: {name} is bfloat16, which this converter does not read")
        arr = np.frombuffer(raw, dtype=dtype, count=nbytes // np.dtype(dtype).itemsize, offset=pos).reshape(shape)
        pos += nbytes
        arrays[name] = arr.astype(np.float32) if arr.dtype == np.float16 else arr.copy()
    for _ in range(take("I")):
        alias = text()
        arrays[alias] = arrays[text()]
    return arrays


class Graph:
    """Nodes, initializers and fresh names for one ONNX graph."""

    def __init__(self, weights, prefix=""):
        self.weights = weights
        self.nodes = []
        self.inits = {}
        self.prefix = prefix
        self.count = 0

    def name(self, hint):
        self.count += 1
        return f"{self.prefix}{hint}_{self.count}"

    def op(self, kind, inputs, n_out=1, **attrs):
        outs = [self.name(kind.lower()) for _ in range(n_out)]
        self.nodes.append(helper.make_node(kind, inputs, outs, name=outs[0], **attrs))
        return outs[0] if n_out == 1 else outs

    def const(self, value, hint="c"):
        name = self.name(hint)
        self.inits[name] = numpy_helper.from_array(np.asarray(value), name)
        return name

    def weight(self, key, transform=None):
        """An initializer from the CTranslate2 arrays (shared between uses)."""
        name = key.replace("/", ".") + ("" if transform is None else "." + transform.__name__)
        if name not in self.inits:
            value = self.weights[key] if transform is None else transform(self.weights[key])
            self.inits[name] = numpy_helper.from_array(np.ascontiguousarray(value, dtype=np.float32), name)
        return name

    def linear(self, x, scope, rows=None):
        """x @ W^T + b; `rows` takes a slice of W's rows (CTranslate2 fuses q, k, v into one matrix)."""
        def pick(arr):
            return arr if rows is None else arr[rows[0]:rows[1]]

        def t(arr):
            return pick(arr).T

        def b(arr):
            return pick(arr)

        t.__name__ = "T" if rows is None else f"T{rows[0]}_{rows[1]}"
        b.__name__ = "b" if rows is None else f"b{rows[0]}_{rows[1]}"
        y = self.op("MatMul", [x, self.weight(scope + "/weight", t)])
        return self.op("Add", [y, self.weight(scope + "/bias", b)])

    def layer_norm(self, x, scope):
        return self.op("LayerNormalization", [x, self.weight(scope + "/gamma"), self.weight(scope + "/beta")],
                       axis=-1, epsilon=LN_EPS)

    def gelu(self, x):
        """Exact GELU: x/2 · (1 + erf(x/√2)), as Whisper uses."""
        erf = self.op("Erf", [self.op("Div", [x, self.const(np.float32(np.sqrt(2.0)))])])
        return self.op("Mul", [self.op("Mul", [x, self.op("Add", [erf, self.const(np.float32(1.0))])]),
                               self.const(np.float32(0.5))])

    def heads(self, x, n_heads, d_head):
        """[B, T, H·D] → [B, H, T, D]."""
        return self.op("Transpose", [self.op("Reshape", [x, self.const(np.array([0, 0, n_heads, d_head], np.int64))])],
                       perm=[0, 2, 1, 3])

    def merge(self, x, d_model):
        """[B, H, T, D] → [B, T, H·D]."""
        return self.op("Reshape", [self.op("Transpose", [x], perm=[0, 2, 1, 3]),
                                   self.const(np.array([0, 0, d_model], np.int64))])

    def attend(self, q, k, v, d_head, mask=None):
        scores = self.op("Mul", [self.op("MatMul", [q, self.op("Transpose", [k], perm=[0, 1, 3, 2])]),
                                 self.const(np.float32(1.0 / np.sqrt(d_head)))])
        if mask is not None:
            scores = self.op("Add", [scores, mask])
        return self.op("MatMul", [self.op("Softmax", [scores], axis=-1), v])


def encoder(w, dims):
    d, h, n_layers = dims["d_model"], dims["heads"], dims["encoder_layers"]
    dh = d // h
    g = Graph(w)
    x = g.gelu(g.op("Conv", ["input_features", g.weight("encoder/conv1/weight"), g.weight("encoder/conv1/bias")],
                    pads=[1, 1], strides=[1]))
    x = g.gelu(g.op("Conv", [x, g.weight("encoder/conv2/weight"), g.weight("encoder/conv2/bias")],
                    pads=[1, 1], strides=[2]))
    x = g.op("Add", [g.op("Transpose", [x], perm=[0, 2, 1]), g.weight("encoder/position_encodings/encodings")])
    for i in range(n_layers):
        p = f"encoder/layer_{i}"
        hn = g.layer_norm(x, f"{p}/self_attention/layer_norm")
        q, k, v = (g.heads(g.linear(hn, f"{p}/self_attention/linear_0", (j * d, (j + 1) * d)), h, dh) for j in range(3))
        att = g.linear(g.merge(g.attend(q, k, v, dh), d), f"{p}/self_attention/linear_1")
        x = g.op("Add", [x, att])
        hn = g.layer_norm(x, f"{p}/ffn/layer_norm")
        x = g.op("Add", [x, g.linear(g.gelu(g.linear(hn, f"{p}/ffn/linear_0")), f"{p}/ffn/linear_1")])
    x = g.layer_norm(x, "encoder/layer_norm")
    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="output"))
    graph = helper.make_graph(
        g.nodes, "whisper_encoder",
        [helper.make_tensor_value_info("input_features", TensorProto.FLOAT, ["batch_size", dims["n_mels"], 3000])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch_size", 1500, d])],
        list(g.inits.values()))
    return graph


def decoder(w, dims):
    d, h, n_layers = dims["d_model"], dims["heads"], dims["decoder_layers"]
    dh = d // h
    g = Graph(w)
    kv_shape = lambda length: ["batch_size", h, length, dh]  # noqa: E731
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "decoder_sequence_length"]),
        helper.make_tensor_value_info("encoder_hidden_states", TensorProto.FLOAT, ["batch_size", "encoder_sequence_length_out", d]),
    ]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "decoder_sequence_length", dims["vocab"]])]
    for i in range(n_layers):
        for part, length in (("decoder", "past_decoder_sequence_length"), ("encoder", "encoder_sequence_length_out")):
            for kv in ("key", "value"):
                inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{part}.{kv}", TensorProto.FLOAT, kv_shape(length)))
                out_len = "past_decoder_sequence_length + 1" if part == "decoder" else "encoder_sequence_length_out"
                outputs.append(helper.make_tensor_value_info(f"present.{i}.{part}.{kv}", TensorProto.FLOAT, kv_shape(out_len)))
    inputs.append(helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1]))

    # Cross-attention keys and values: computed from the encoder's output on the first step, reused after.
    then_g, else_g = Graph(w, "then_"), Graph(w, "else_")
    then_outs, else_outs = [], []
    for i in range(n_layers):
        scope = f"decoder/layer_{i}/attention/linear_1"
        for j, kv in enumerate(("key", "value")):
            name = f"cross_{i}_{kv}"
            then_g.nodes.append(helper.make_node("Identity", [f"past_key_values.{i}.encoder.{kv}"], [f"then_{name}"], name=f"then_{name}"))
            then_outs.append(helper.make_tensor_value_info(f"then_{name}", TensorProto.FLOAT, None))
            y = else_g.heads(else_g.linear("encoder_hidden_states", scope, (j * d, (j + 1) * d)), h, dh)
            else_g.nodes.append(helper.make_node("Identity", [y], [f"else_{name}"], name=f"else_{name}"))
            else_outs.append(helper.make_tensor_value_info(f"else_{name}", TensorProto.FLOAT, None))
    g.inits.update(else_g.inits)  # the subgraph reads its weights from the outer scope
    cross = [f"present.{i}.encoder.{kv}" for i in range(n_layers) for kv in ("key", "value")]
    g.nodes.append(helper.make_node(
        "If", ["use_cache_branch"], cross, name="cross_kv",
        then_branch=helper.make_graph(then_g.nodes, "reuse_cross_kv", [], then_outs),
        else_branch=helper.make_graph(else_g.nodes, "compute_cross_kv", [], else_outs)))

    # Positions past .. past+T-1, and a causal mask [T, past+T] (0 where a token may look, -1e9 where not).
    past = g.op("Gather", [g.op("Shape", ["past_key_values.0.decoder.key"]), g.const(np.int64(2))], axis=0)
    t_len = g.op("Gather", [g.op("Shape", ["input_ids"]), g.const(np.int64(1))], axis=0)
    total = g.op("Add", [past, t_len])
    positions = g.op("Range", [past, total, g.const(np.int64(1))])
    x = g.op("Add", [g.op("Gather", [g.weight("decoder/embeddings/weight"), "input_ids"], axis=0),
                     g.op("Gather", [g.weight("decoder/position_encodings/encodings"), positions], axis=0)])
    rows = g.op("Unsqueeze", [positions, g.const(np.array([1], np.int64))])
    cols = g.op("Unsqueeze", [g.op("Range", [g.const(np.int64(0)), total, g.const(np.int64(1))]), g.const(np.array([0], np.int64))])
    mask = g.op("Where", [g.op("Greater", [cols, rows]), g.const(np.float32(-1e9)), g.const(np.float32(0.0))])

    for i in range(n_layers):
        p = f"decoder/layer_{i}"
        hn = g.layer_norm(x, f"{p}/self_attention/layer_norm")
        q, k, v = (g.heads(g.linear(hn, f"{p}/self_attention/linear_0", (j * d, (j + 1) * d)), h, dh) for j in range(3))
        keys = f"present.{i}.decoder.key"
        values = f"present.{i}.decoder.value"
        g.nodes.append(helper.make_node("Concat", [f"past_key_values.{i}.decoder.key", k], [keys], name=keys, axis=2))
        g.nodes.append(helper.make_node("Concat", [f"past_key_values.{i}.decoder.value", v], [values], name=values, axis=2))
        att = g.linear(g.merge(g.attend(q, keys, values, dh, mask), d), f"{p}/self_attention/linear_1")
        x = g.op("Add", [x, att])
        hn = g.layer_norm(x, f"{p}/attention/layer_norm")
        q = g.heads(g.linear(hn, f"{p}/attention/linear_0"), h, dh)
        att = g.linear(g.merge(g.attend(q, f"present.{i}.encoder.key", f"present.{i}.encoder.value", dh), d), f"{p}/attention/linear_2")
        x = g.op("Add", [x, att])
        hn = g.layer_norm(x, f"{p}/ffn/layer_norm")
        x = g.op("Add", [x, g.linear(g.gelu(g.linear(hn, f"{p}/ffn/linear_0")), f"{p}/ffn/linear_1")])
    x = g.layer_norm(x, "decoder/layer_norm")
    # The output projection is the token embedding, transposed (tied weights); ONNX Runtime folds the transpose.
    table_t = g.op("Transpose", [g.weight("decoder/embeddings/weight")], perm=[1, 0])
    g.nodes.append(helper.make_node("MatMul", [x, table_t], ["logits"], name="logits"))
    return helper.make_graph(g.nodes, "whisper_decoder_merged", inputs, outputs, list(g.inits.values()))


def save(graph, path: Path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="rosetta-convert-ct2-whisper")
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))


def non_timestamp_vocab(tokenizer: dict) -> int:
    return max(t["id"] for t in tokenizer["added_tokens"]) + 1


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    w = read_ct2(src / "model.bin")
    ct2 = json.loads((src / "config.json").read_text())
    tokenizer = json.loads((src / "tokenizer.json").read_text())
    vocab, d = w["decoder/embeddings/weight"].shape
    dims = {
        "d_model": d,
        "heads": int(w["encoder/num_heads"]),
        "encoder_layers": sum(1 for k in w if k.startswith("encoder/layer_") and k.endswith("/ffn/linear_0/weight")),
        "decoder_layers": sum(1 for k in w if k.startswith("decoder/layer_") and k.endswith("/ffn/linear_0/weight")),
        "n_mels": w["encoder/conv1/weight"].shape[1],
        "vocab": vocab,
        "ffn": w["encoder/layer_0/ffn/linear_0/weight"].shape[0],
    }
    if int(w["decoder/num_heads"]) != dims["heads"]:
        sys.exit("encoder and decoder head counts differ; this converter assumes Whisper's equal counts")
    ids = {t["content"]: t["id"] for t in tokenizer["added_tokens"]}
    eot = ids["<|endoftext|>"]
    sot = ids["<|startoftranscript|>"]
    no_ts = ids["<|notimestamps|>"]
    multilingual = vocab >= 51865
    lang_to_id = {tok: i for tok, i in ids.items() if i in set(ct2.get("lang_ids", []))}
    save(encoder(w, dims), out / "onnx" / "encoder_model.onnx")
    save(decoder(w, dims), out / "onnx" / "decoder_model_merged.onnx")
    config = {
        "model_type": "whisper",
        "architectures": ["WhisperForConditionalGeneration"],
        "is_encoder_decoder": True,
        "d_model": d,
        "encoder_layers": dims["encoder_layers"],
        "decoder_layers": dims["decoder_layers"],
        "encoder_attention_heads": dims["heads"],
        "decoder_attention_heads": dims["heads"],
        "encoder_ffn_dim": dims["ffn"],
        "decoder_ffn_dim": dims["ffn"],
        "num_mel_bins": dims["n_mels"],
        "vocab_size": vocab,
        "max_source_positions": w["encoder/position_encodings/encodings"].shape[0],
        "max_target_positions": w["decoder/position_encodings/encodings"].shape[0],
        "activation_function": "gelu",
        "bos_token_id": eot,
        "eos_token_id": eot,
        "pad_token_id": eot,
        "decoder_start_token_id": sot,
        "begin_suppress_tokens": ct2["suppress_ids_begin"],
        "suppress_tokens": ct2["suppress_ids"],
        "use_cache": True,
        "transformers.js_config": {"dtype": "fp32"},
    }
    generation = {
        "decoder_start_token_id": sot,
        "bos_token_id": eot,
        "eos_token_id": eot,
        "pad_token_id": eot,
        "max_length": config["max_target_positions"],
        "is_multilingual": multilingual,
        "no_timestamps_token_id": no_ts,
        "prev_sot_token_id": ids.get("<|startofprev|>"),
        "max_initial_timestamp_index": 50,
        "begin_suppress_tokens": ct2["suppress_ids_begin"],
        "suppress_tokens": ct2["suppress_ids"],
        "alignment_heads": ct2.get("alignment_heads"),
        "return_timestamps": False,
    }
    if multilingual:
        generation["lang_to_id"] = lang_to_id
        generation["task_to_id"] = {"transcribe": ids["<|transcribe|>"], "translate": ids["<|translate|>"]}
    preprocessor = {
        "feature_extractor_type": "WhisperFeatureExtractor",
        "processor_class": "WhisperProcessor",
        "feature_size": dims["n_mels"],
        "sampling_rate": 16000,
        "hop_length": 160,
        "n_fft": 400,
        "chunk_length": 30,
        "n_samples": 480000,
        "nb_max_frames": 3000,
        "padding_side": "right",
        "padding_value": 0.0,
        "return_attention_mask": False,
    }
    tokenizer_config = {
        "tokenizer_class": "WhisperTokenizer",
        "bos_token": "<|endoftext|>",
        "eos_token": "<|endoftext|>",
        "unk_token": "<|endoftext|>",
        "pad_token": "<|endoftext|>",
        "model_max_length": 1024,
        "add_prefix_space": False,
        "errors": "replace",
        "clean_up_tokenization_spaces": True,
    }
    for name, value in (("config.json", config), ("generation_config.json", generation),
                        ("preprocessor_config.json", preprocessor), ("tokenizer_config.json", tokenizer_config)):
        (out / name).write_text(json.dumps(value, indent=2) + "\n")
    (out / "tokenizer.json").write_bytes((src / "tokenizer.json").read_bytes())
    print(f"converted {src} → {out}: d_model {d}, {dims['encoder_layers']}+{dims['decoder_layers']} layers, "
          f"vocabulary {vocab}, timestamps from {non_timestamp_vocab(tokenizer)}")


if __name__ == "__main__":
    main()
