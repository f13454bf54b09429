"""The query encoder as an ONNX Runtime graph, int8 dynamic-quantised, cached in the folder.

Queries are one short text each, where ONNX Runtime's int8 kernels beat torch (measured
in `bench/engine.py`). The graph starts after the word-embedding lookup — the caller
gathers rows from the folder's memory-mapped safetensors — so the 250k × 384 table is not
duplicated into the .onnx file (which stays ≈ 22 MB in int8). It takes `inputs_embeds`
(1, n, hidden) for an unpadded window and returns the mean over its tokens (1, hidden).

Files: `onnx/query_int8.onnx` (quantised from a temporary float32 export) and, only when
the "onnx-fp32" query mode is asked for, `onnx/query_fp32.onnx`; each is written to a
temporary name and renamed into place.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

SUBDIR = "onnx"
FILES = {"fp32": "query_fp32.onnx", "int8": "query_int8.onnx"}


def query_onnx(folder: str | Path, kind: str = "int8") -> Path:
    """Path of the query graph of `kind` ("int8" or "fp32") for `folder`, exporting it if missing."""
    out = Path(folder) / SUBDIR / FILES[kind]
    if out.is_file():
        return out
    fp32 = Path(folder) / SUBDIR / FILES["fp32"]
    if kind == "fp32":
        _atomic(fp32, lambda tmp: export_fp32(folder, tmp))
        return out
    # int8: the float32 export is only an intermediate (86 MB); it is not kept.
    with tempfile.TemporaryDirectory(prefix=".onnx-export-", dir=folder) as tmpdir:
        src = Path(tmpdir) / FILES["fp32"]
        export_fp32(folder, src)
        _atomic(out, lambda tmp: quantize_int8(src, tmp))
    return out


def export_fp32(folder: str | Path, dest: Path) -> None:
    import torch

    from .model import MeanFromEmbeddings, load_encoder

    enc = load_encoder(folder)
    dummy = torch.zeros(1, 7, enc.hidden)
    # The TorchScript exporter: a plain graph in seconds, no onnxscript needed.
    torch.onnx.export(MeanFromEmbeddings(enc), (dummy,), str(dest), dynamo=False,
                      input_names=["inputs_embeds"], output_names=["mean_hidden"],
                      dynamic_axes={"inputs_embeds": {1: "tokens"}}, opset_version=17)


def quantize_int8(src: Path, dest: Path) -> None:
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    # quantize_dynamic logs a "consider pre-processing" hint at WARNING on every call.
    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))
    quantize_dynamic(str(src), str(dest), weight_type=QuantType.QInt8, per_channel=True)


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
