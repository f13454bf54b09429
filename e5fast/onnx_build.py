"""The encoder's float32 ONNX graph, written from the folder's weights with `onnx.helper` (no torch).

The same computation as `model.PaddedMean` (which torch used to export, ~6 s of a first run
with its import): padded windows `inputs_embeds` (B, n, hidden) and `mask` (B, n) → word +
position (rows 2…n+1) + type-0 embeddings → LayerNorm → post-LN blocks (fused QKV, scaled
dot-product attention with −1e9 on padded keys, erf-GELU) → mean of each window's real
tokens (B, hidden). Every weight matmul is a `MatMul` with its weight as an initializer
(in, out), in layer order QKV, attention output, intermediate, output — what
`onnx_graph.to_matmul_nbits` and `quantize_int8` rewrite.

`attention` says how each layer's attention is written: "ops" (reshape, transpose, matmuls,
softmax), "fused" — the QKV projection and attention as one com.microsoft `Attention` node
(its key mask from `mask`), which `quantize_int8` turns into `QAttention`: ONNX Runtime's CPU
kernel skips the split/transpose/mask-add ops around the attention products, which took about
half of the int8 graph's time on 600-char passages (bench/results/engine.md, issue 22 no-AMX);
only the int8 graph is made from it — or "mha": the QKV projection stays a MatMul (for
`query_graph` to quantise) and its three parts go to one com.microsoft `MultiHeadAttention`
node with the key mask (12 nodes a layer fewer; the int8q query graph).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .weights import WORD_TABLE, mapped_arrays

OPSET = 17


class _Graph:
    """Nodes and initializers, each output named after its node."""

    def __init__(self) -> None:
        self.heads = 0
        self.nodes: list = []
        self.inits: list = []
        self.w: dict[str, np.ndarray] = {}  # the folder's weights (float32)
        self.eps = 1e-12

    def const(self, name: str, value, dtype=np.float32) -> str:
        from onnx import numpy_helper

        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(np.asarray(value, dtype=dtype)), name))
        return name

    def op(self, op_type: str, *inputs: str, n_out: int = 1, **attrs):
        from onnx import helper

        outs = [f"{op_type.lower()}_{len(self.nodes)}_{i}" for i in range(n_out)]
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, name=f"{op_type}_{len(self.nodes)}", **attrs))
        return outs[0] if n_out == 1 else outs


ATTENTION = ("ops", "fused", "mha")


def build_fp32(folder: str | Path, dest: Path, attention: str = "ops") -> None:
    """Write the float32 graph of `folder`'s encoder to `dest`, its attention written as
    `attention` says (see the module's docstring)."""
    import onnx
    from onnx import TensorProto, helper

    if attention not in ATTENTION:
        raise ValueError(f"attention must be one of {ATTENTION}")
    folder = Path(folder)
    cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    hidden, heads = int(cfg["hidden_size"]), int(cfg["num_attention_heads"])
    eps = float(cfg["layer_norm_eps"])
    w = {k: np.asarray(v, dtype=np.float32) for k, v in
         mapped_arrays(folder / "model.safetensors", mode="r").items() if k != WORD_TABLE}
    g = _Graph()
    g.w, g.eps, g.heads = w, eps, heads

    # positions 0…n-1 use rows 2…n+1 (XLM-R's padding_idx + 1), as model.POSITION_OFFSET
    n = g.op("Shape", "inputs_embeds", start=1, end=2)
    pos = g.op("Slice", g.const("pos_table", w["embeddings.position_embeddings.weight"]),
               g.const("two", [2], np.int64), g.op("Add", n, "two"), g.const("axis0", [0], np.int64))
    x = g.op("Add", g.op("Add", "inputs_embeds", pos),
             g.const("type0", w["embeddings.token_type_embeddings.weight"][0]))
    x = _layer_norm(g, x, "embeddings.LayerNorm")
    keep_out = g.op("Mul", g.op("Sub", g.const("one", 1.0), "mask"), g.const("neg", -1e9))
    key_bias = g.op("Unsqueeze", keep_out, g.const("axes12", [1, 2], np.int64))  # (B, 1, 1, n)
    if attention != "ops":  # (Multi-Head)Attention takes the 1/0 mask itself, as int32 (B, n)
        key_bias = g.op("Cast", "mask", to=TensorProto.INT32)
    d = hidden // heads
    if attention == "ops":
        g.const("split_heads", [0, 0, 3, heads, d], np.int64)
        g.const("merge_heads", [0, 0, hidden], np.int64)
        g.const("axes0", [0], np.int64)
        g.const("scale", d ** -0.5)
    g.const("half", 0.5)
    g.const("sqrt2", math.sqrt(2.0))
    for i in range(int(cfg["num_hidden_layers"])):
        x = _block(g, x, f"encoder.layer.{i}", key_bias, hidden, attention)
    m = g.op("Unsqueeze", "mask", g.const("axis2", [2], np.int64))
    axis1 = g.const("axis1", [1], np.int64)
    g.nodes.append(helper.make_node("Div", [g.op("ReduceSum", g.op("Mul", x, m), axis1, keepdims=0),
                                            g.op("ReduceSum", m, axis1, keepdims=0)], ["mean_hidden"], name="mean"))
    graph = helper.make_graph(
        g.nodes, "e5fast_encoder",
        [helper.make_tensor_value_info("inputs_embeds", TensorProto.FLOAT, ["windows", "tokens", hidden]),
         helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["windows", "tokens"])],
        [helper.make_tensor_value_info("mean_hidden", TensorProto.FLOAT, ["windows", hidden])],
        g.inits)
    opsets = [helper.make_opsetid("", OPSET)] + ([helper.make_opsetid("com.microsoft", 1)] if attention != "ops" else [])
    model = helper.make_model(graph, opset_imports=opsets, producer_name="e5fast",
                              ir_version=8)  # opset 17's IR: ONNX Runtime reads up to 13, onnx writes 14
    onnx.save(model, str(dest))


def _layer_norm(g: _Graph, x: str, p: str) -> str:
    return g.op("LayerNormalization", x, g.const(f"{p}.weight", g.w[f"{p}.weight"]),
                g.const(f"{p}.bias", g.w[f"{p}.bias"]), axis=-1, epsilon=g.eps)


def _linear(g: _Graph, x: str, name: str, weight: np.ndarray, bias: np.ndarray) -> str:
    return g.op("Add", g.op("MatMul", x, g.const(f"{name}.wT", weight.T)), g.const(f"{name}.b", bias))


def _block(g: _Graph, x: str, p: str, key_bias: str, hidden: int, attention: str = "ops") -> str:
    """One post-LN block: fused QKV attention with the key mask, then the erf-GELU MLP.
    `attention` "fused" / "mha": `key_bias` is the int32 mask."""
    w = g.w
    att = [f"{p}.attention.self.{m}" for m in ("query", "key", "value")]
    qkv_w = np.concatenate([w[f"{a}.weight"] for a in att])
    qkv_b = np.concatenate([w[f"{a}.bias"] for a in att])
    if attention == "fused":
        ctx = g.op("Attention", x, g.const(f"{p}.qkv.wT", qkv_w.T), g.const(f"{p}.qkv.b", qkv_b), key_bias,
                   domain="com.microsoft", num_heads=g.heads)
    elif attention == "mha":
        q, k, v = g.op("Split", _linear(g, x, f"{p}.qkv", qkv_w, qkv_b), axis=-1, n_out=3)
        ctx = g.op("MultiHeadAttention", q, k, v, "", key_bias, domain="com.microsoft", num_heads=g.heads)
    else:
        ctx = _attention(g, _linear(g, x, f"{p}.qkv", qkv_w, qkv_b), key_bias)
    ao = f"{p}.attention.output.dense"
    x = _layer_norm(g, g.op("Add", x, _linear(g, ctx, ao, w[f"{ao}.weight"], w[f"{ao}.bias"])),
                    f"{p}.attention.output.LayerNorm")
    fi, fo = f"{p}.intermediate.dense", f"{p}.output.dense"
    f = _linear(g, x, fi, w[f"{fi}.weight"], w[f"{fi}.bias"])
    gelu = g.op("Mul", g.op("Mul", f, "half"), g.op("Add", "one", g.op("Erf", g.op("Div", f, "sqrt2"))))
    return _layer_norm(g, g.op("Add", x, _linear(g, gelu, fo, w[f"{fo}.weight"], w[f"{fo}.bias"])),
                       f"{p}.output.LayerNorm")


def _attention(g: _Graph, qkv: str, key_bias: str) -> str:
    """Scaled dot-product attention of the fused QKV rows (B, n, 3·hidden), −1e9 on padded keys."""
    parts = g.op("Transpose", g.op("Reshape", qkv, "split_heads"), perm=[2, 0, 3, 1, 4])  # (3, B, heads, n, d)
    q, k, v = (g.op("Squeeze", t, "axes0") for t in g.op("Split", parts, axis=0, n_out=3))
    scores = g.op("Add", g.op("MatMul", g.op("Mul", q, "scale"), g.op("Transpose", k, perm=[0, 1, 3, 2])), key_bias)
    ctx = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
    return g.op("Reshape", g.op("Transpose", ctx, perm=[0, 2, 1, 3]), "merge_heads")
