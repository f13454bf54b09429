"""The encoder as an ONNX Runtime graph (int8 dynamic quantisation or float32), cached in the folder.

The graph starts after the word-embedding lookup — the caller gathers rows from the
folder's safetensors — so the 250k × 384 table is not copied into the .onnx file (≈ 21 MB
in int8). It takes padded windows `inputs_embeds` (B, n, hidden) with `mask` (B, n) and
returns each window's mean last hidden state (B, hidden): one graph for queries (B = 1, no
padding) and for passages (length-sorted batches, `batching.py`).

Files: `onnx/encoder_int8.onnx` (quantised from a temporary float32 export; kept) and
`onnx/encoder_fp32.onnx` (86 MB: written only when the float32 path is measured or forced,
and deleted again by `drop_fp32` when it is not chosen). Each is written to a temporary
name and renamed into place. Exporting needs torch; running needs only onnxruntime.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

SUBDIR = "onnx"
FILES = {"fp32": "encoder_fp32.onnx", "int8": "encoder_int8.onnx"}


def graph_path(folder: str | Path, kind: str) -> Path:
    return Path(folder) / SUBDIR / FILES[kind]


def encoder_onnx(folder: str | Path, kind: str = "int8") -> Path:
    """Path of the graph of `kind` ("int8" or "fp32") for `folder`, exporting it if missing."""
    out = graph_path(folder, kind)
    if out.is_file():
        return out
    fp32 = graph_path(folder, "fp32")
    if kind == "fp32":
        _atomic(fp32, lambda tmp: export_fp32(folder, tmp))
        return out
    if fp32.is_file():
        _atomic(out, lambda tmp: quantize_int8(fp32, tmp))
        return out
    # int8 alone: the float32 export is only an intermediate here (86 MB); it is not kept.
    with tempfile.TemporaryDirectory(prefix=".onnx-export-", dir=folder) as tmpdir:
        src = Path(tmpdir) / FILES["fp32"]
        export_fp32(folder, src)
        _atomic(out, lambda tmp: quantize_int8(src, tmp))
    return out


def drop_fp32(folder: str | Path) -> None:
    """Delete the float32 graph (after a choice that does not run it)."""
    graph_path(folder, "fp32").unlink(missing_ok=True)


def export_fp32(folder: str | Path, dest: Path) -> None:
    import torch

    from .model import PaddedMean, load_encoder

    enc = load_encoder(folder)
    dummy = (torch.zeros(2, 7, enc.hidden), torch.ones(2, 7))
    # The TorchScript exporter: a plain graph in seconds, no onnxscript needed.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "legacy TorchScript-based exporter"
        torch.onnx.export(PaddedMean(enc), dummy, str(dest), dynamo=False,
                          input_names=["inputs_embeds", "mask"], output_names=["mean_hidden"],
                          dynamic_axes={"inputs_embeds": {0: "windows", 1: "tokens"},
                                        "mask": {0: "windows", 1: "tokens"}}, opset_version=17)


def quantize_int8(src: Path, dest: Path) -> None:
    """Dynamic int8 quantisation of the weight matmuls (per output channel). The attention
    products of two activations stay float32: quantising them too cost accuracy (min cosine
    to float32 fell below 0.99 on short queries) for little speed (bench/engine.py)."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    weights = {i.name for i in onnx.load(str(src), load_external_data=False).graph.initializer}
    model = onnx.load(str(src), load_external_data=False)
    activation_matmuls = [n.name for n in model.graph.node
                          if n.op_type == "MatMul" and not any(i in weights for i in n.input)]
    # quantize_dynamic logs a "consider pre-processing" hint at WARNING on every call.
    root = logging.getLogger()
    level = root.level
    root.setLevel(max(level, logging.ERROR))
    try:
        quantize_dynamic(str(src), str(dest), weight_type=QuantType.QInt8, per_channel=True,
                         nodes_to_exclude=activation_matmuls)
    finally:
        root.setLevel(level)


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
