import { createRequire } from 'node:module';

// onnx-proto is CommonJS (protobufjs 6); load it through require so ESM consumers get its namespace.
const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as typeof import('onnx-proto');

export type ElemType = 'float32' | 'int64' | 'int32' | 'bool' | 'float16' | 'int8';
/** A dimension is a fixed size or a symbolic name (batch, sequence…). */
export type Dim = number | string;
export type AttrValue = number | string | number[] | Float32Array | { floats: number[] } | { tensor: TensorInit };

export interface TensorInit {
  type: ElemType;
  dims: number[];
  /** float16 data is given as IEEE half bit patterns (Uint16Array). */
  data: Float32Array | BigInt64Array | Int32Array | Uint16Array | Int8Array | number[];
}

const ELEM: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  bool: onnx.TensorProto.DataType.BOOL,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int8: onnx.TensorProto.DataType.INT8,
};

function tensorProto(name: string, t: TensorInit): InstanceType<typeof onnx.TensorProto> {
  const proto = new onnx.TensorProto({ name, dims: t.dims, dataType: ELEM[t.type] });
  // raw_data keeps large weights compact and fast to encode.
  let bytes: Uint8Array;
  if (t.type === 'float32') {
    const arr = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as number[]);
    bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  } else if (t.type === 'int64') {
    const arr = t.data instanceof BigInt64Array ? t.data : BigInt64Array.from((t.data as number[]).map((v) => BigInt(v)));
    bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  } else if (t.type === 'int32') {
    const arr = t.data instanceof Int32Array ? t.data : Int32Array.from(t.data as number[]);
    bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  } else if (t.type === 'float16') {
    const arr = t.data instanceof Uint16Array ? t.data : Uint16Array.from(t.data as number[]);
    bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  } else if (t.type === 'int8') {
    const arr = t.data instanceof Int8Array ? t.data : Int8Array.from(t.data as number[]);
    bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  } else {
    bytes = Uint8Array.from(t.data as number[]);
  }
  proto.rawData = bytes;
  return proto;
}

function valueInfo(name: string, type: ElemType, shape: Dim[]) {
  return new onnx.ValueInfoProto({
    name,
    type: new onnx.TypeProto({
      tensorType: new onnx.TypeProto.Tensor({
        elemType: ELEM[type],
        shape: new onnx.TensorShapeProto({
          dim: shape.map((d) =>
            typeof d === 'number'
              ? new onnx.TensorShapeProto.Dimension({ dimValue: d })
              : new onnx.TensorShapeProto.Dimension({ dimParam: d }),
          ),
        }),
      }),
    }),
  });
}

function attribute(name: string, v: AttrValue) {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') {
    return Number.isInteger(v)
      ? new onnx.AttributeProto({ name, type: A.INT, i: v })
      : new onnx.AttributeProto({ name, type: A.FLOAT, f: v });
  }
  if (typeof v === 'string') return new onnx.AttributeProto({ name, type: A.STRING, s: Buffer.from(v) });
  if (Array.isArray(v)) return new onnx.AttributeProto({ name, type: A.INTS, ints: v });
  if (v instanceof Float32Array) return new onnx.AttributeProto({ name, type: A.FLOATS, floats: Array.from(v) });
  if ('floats' in v) return new onnx.AttributeProto({ name, type: A.FLOATS, floats: v.floats });
  return new onnx.AttributeProto({ name, type: A.TENSOR, t: tensorProto(name, v.tensor) });
}

/**
 * Writes an ONNX model (opset 17 by default) from TypeScript. Names are plain strings; `op` returns the
 * output names so graphs read top to bottom. Note: in opset 17, ReduceSum/ReduceMean's axes for ReduceSum
 * and Unsqueeze/Squeeze are input tensors — use `constInt64` for them.
 */
export class GraphBuilder {
  private nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private inits: InstanceType<typeof onnx.TensorProto>[] = [];
  private inputs: ReturnType<typeof valueInfo>[] = [];
  private outputs: ReturnType<typeof valueInfo>[] = [];
  private counter = 0;
  private constCache = new Map<string, string>();

  constructor(
    readonly name = 'rosetta',
    readonly opset = 17,
  ) {}

  input(name: string, type: ElemType, shape: Dim[]): string {
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  output(name: string, type: ElemType, shape: Dim[]): string {
    this.outputs.push(valueInfo(name, type, shape));
    return name;
  }

  initializer(name: string, t: TensorInit): string {
    this.inits.push(tensorProto(name, t));
    return name;
  }

  /** A fresh, unique tensor name. */
  fresh(prefix = 't'): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  /** Adds a node; returns its output names (given, or generated). */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs: string[] | number = 1): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : outputs;
    this.nodes.push(
      new onnx.NodeProto({
        opType,
        input: inputs,
        output: outs,
        name: this.fresh(`n_${opType}`),
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return outs;
  }

  /** Single-output convenience. */
  op1(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.op(opType, inputs, attrs, output ? [output] : 1)[0];
  }

  constInt64(values: number[], dims: number[] = [values.length]): string {
    const key = `i64:${dims.join('x')}:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.initializer(this.fresh('const_i64'), { type: 'int64', dims, data: values });
    this.constCache.set(key, name);
    return name;
  }

  constFloat(values: number[] | Float32Array, dims: number[] = [values.length]): string {
    const arr = values instanceof Float32Array ? values : Float32Array.from(values);
    if (arr.length <= 16) {
      const key = `f32:${dims.join('x')}:${Array.from(arr).join(',')}`;
      const hit = this.constCache.get(key);
      if (hit) return hit;
      const name = this.initializer(this.fresh('const_f32'), { type: 'float32', dims, data: arr });
      this.constCache.set(key, name);
      return name;
    }
    return this.initializer(this.fresh('const_f32'), { type: 'float32', dims, data: arr });
  }

  /** Encodes the ModelProto to bytes, ready for `InferenceSession.create(bytes)` or a file. */
  toBytes(): Uint8Array {
    const model = new onnx.ModelProto({
      irVersion: 8,
      producerName: 'rosetta',
      opsetImport: [new onnx.OperatorSetIdProto({ domain: '', version: this.opset })],
      graph: new onnx.GraphProto({
        name: this.name,
        node: this.nodes,
        initializer: this.inits,
        input: this.inputs,
        output: this.outputs,
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
