"""Stores an exported model's large float32 weights as float16 and casts them back to float32 inside the graph.

Compute stays float32 (onnxruntime's CPU kernels are float32); only the file halves. The recipe's last step
(models/rosetta-mini/recipe/run.sh) runs it on every graph of the shipped model:
    python scripts/mini-v5/compact-weights.py MODEL_DIR
"""
import glob
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

MIN_ELEMENTS = 4096  # small tensors (norm scales, biases) stay float32: no gain, and shape inference reads some


def compact(path):
    model = onnx.load(path)
    g = model.graph
    kept, casts = [], []
    for init in g.initializer:
        if init.data_type == onnx.TensorProto.FLOAT and np.prod(init.dims) >= MIN_ELEMENTS:
            half = numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), init.name + '__fp16')
            kept.append(half)
            casts.append(helper.make_node('Cast', [half.name], [init.name], to=onnx.TensorProto.FLOAT, name=init.name + '__cast'))
        else:
            kept.append(init)
    del g.initializer[:]
    g.initializer.extend(kept)
    nodes = casts + list(g.node)  # casts first: a topologically sorted graph
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(model)
    before = os.path.getsize(path)
    onnx.save(model, path)
    return before, os.path.getsize(path)


if __name__ == '__main__':
    for f in sorted(glob.glob(os.path.join(sys.argv[1], '**', '*.onnx'), recursive=True)):
        b, a = compact(f)
        print(f'{os.path.relpath(f, sys.argv[1])}: {b / 1e6:.1f} MB -> {a / 1e6:.1f} MB')
