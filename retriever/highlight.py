"""Mark the query's terms in a text by Kiwi tokens (파티션을 in the query marks 파티션) — or,
when no term matches, by the query read without spaces (the bigram field's matches) — and cut
the excerpt window shown around the first match."""
from __future__ import annotations

from .spacing import spacing_free_spans
from .tokenizer import Tokenizer


def match_spans(text: str, query: str, tokenizer: Tokenizer) -> list[tuple[int, int]]:
    """Merged (start, end) character ranges of `text` whose terms occur in the query."""
    terms = set(tokenizer(query))
    spans = sorted((s.start, s.end) for s in tokenizer.spans(text) if s.term in terms) if terms else []
    if not spans:
        spans = spacing_free_spans(text, query)
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def mark(text: str, spans: list[tuple[int, int]], left: str = "«", right: str = "»",
         escape=None) -> str:
    """`text` with each span wrapped; `escape` (e.g. html.escape) is applied to every piece."""
    esc = escape or (lambda s: s)
    out, pos = [], 0
    for s, e in spans:
        out.append(esc(text[pos:s]))
        out.append(left + esc(text[s:e]) + right)
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out)


def excerpt_window(text: str, spans: list[tuple[int, int]], width: int = 260,
                   lead: int = 70) -> tuple[str, list[tuple[int, int]], bool, bool]:
    """A window of `text` starting `lead` characters before the first match:
    (body, the spans inside it shifted to its offsets, cut on the left, cut on the right)."""
    start = max(0, spans[0][0] - lead) if spans else 0
    end = min(len(text), start + width)
    inner = [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start]
    return text[start:end], inner, start > 0, end < len(text)
