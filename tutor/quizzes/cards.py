"""Items any note can give: flashcards (term → meaning, heading → key sentence) and cloze
sentences with one key term blanked — a noun compound or foreign word (Kiwi tags) whose
rarest part has the highest IDF."""
from __future__ import annotations

from dataclasses import dataclass, field

from retriever import Morph, TermStats, Tokenizer

from .candidates import BLANK, Candidate, fact_of
from retriever.structure import Section, Unit

CLOZE_TAGS = ("NNG", "NNP", "SL", "SH")


@dataclass(frozen=True)
class Lexicon:
    """What the generators know of words: the tokenizer, term weights, and a cache of the
    terms of short forms (key terms repeat across sections and quizzes)."""

    tokenizer: Tokenizer
    weights: TermStats
    cache: dict = field(default_factory=dict, compare=False)

    def terms(self, form: str) -> tuple[str, ...]:
        got = self.cache.get(form)
        if got is None:
            got = tuple(self.tokenizer(form))
            if len(self.cache) < 20000:
                self.cache[form] = got
        return got


def flashcards(sec: Section, lex: Lexicon) -> list[Candidate]:
    out = []
    if sec.scenario is not None and sec.answer_text:
        out.append(Candidate("flashcard", f"[문제 시나리오] {sec.scenario.value}", (), sec.answer_text,
                             f"정답: {sec.answer_text}", sec, sec.scenario, fact_of(sec, sec.scenario)))
    for p in sec.points:
        out.append(Candidate("flashcard", f"[{sec.short_title}] {p.term}", (), p.value,
                             f"시험 포인트: {p.term} = {p.value}", sec, p, fact_of(sec, p) + ":card"))
    for u in sec.units:
        if u.kind in ("bullet", "pro", "con") and u.term and u.value and len(u.value) >= 8:
            where = f" · {u.sub}" if u.sub else ""
            out.append(Candidate("flashcard", f"[{sec.short_title}{where}] {u.term}", (), u.value,
                                 f"노트{' (' + u.sub + ')' if u.sub else ''}: {u.term}: {u.value}", sec, u,
                                 fact_of(sec, u) + ":card"))
    if not sec.structured:  # headings and key sentences
        sents = _key_sentences(sec, lex)
        heads: list[tuple[str, Unit]] = []
        if sents and not _is_file_title(sec):
            heads.append((sec.title, sents[0]))
        for sub in dict.fromkeys(u.sub for u in sec.units if u.sub):
            under = [u for u in sents if u.sub == sub]
            if under:
                heads.append((sub, under[0]))
        for title, u in heads:
            out.append(Candidate("flashcard", f"'{title}'에 대해 노트에 적힌 핵심 내용은?", (), u.plain,
                                 f"노트 ({title}): {u.plain}", sec, u, fact_of(sec, u) + ":card", form="heading"))
        for u in sents[:8]:
            term = _key_term(u.plain, lex, proper_only=True)
            if term:
                out.append(Candidate("flashcard", f"[{sec.title}] '{term}'에 대해 노트에 적힌 내용은?", (),
                                     u.plain, f"노트: {u.plain}", sec, u, fact_of(sec, u) + ":card"))
    return out


def _is_file_title(sec: Section) -> bool:
    return not sec.heading  # a note without headings: the title is only the file name


def _cloze_sources(sec: Section) -> list[tuple[Unit, str]]:
    out = []
    for u in sec.units:
        if u.kind in ("code", "row"):  # tables give their own items (quiz_tables)
            continue
        if u.kind == "scenario" or u.kind == "answer":
            text = u.value
        elif u.kind == "point":
            text = f"{u.term} = {u.value}"
        elif u.term and u.value:
            text = f"{u.term}: {u.value}"
        else:
            text = u.plain
        text = text.lstrip("✅❌🔶❓ ").strip()
        if 12 <= len(text) <= 220:
            out.append((u, text))
    return out


def _key_sentences(sec: Section, lex: Lexicon) -> list[Unit]:
    """Prose units richest in rare terms (for notes without the exam structure)."""
    units = [u for u in sec.units if u.kind in ("text", "bullet") and 20 <= len(u.plain) <= 240]
    scored = []
    for u in units:
        terms = set(lex.tokenizer(u.plain))
        scored.append((sum(lex.weights(t) for t in terms) / (1 + len(u.plain) / 80), u.line, u))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [u for _, _, u in scored]


def _key_term(text: str, lex: Lexicon, proper_only: bool = False) -> str | None:
    """The sentence's key term: a whole noun compound or foreign word (Kiwi tags) whose rarest
    part has the highest IDF (`proper_only`: one containing a proper noun or foreign word)."""
    try:
        toks = lex.tokenizer.morphemes(text)
    except Exception:
        return None
    # runs of touching noun-like morphemes: 지방자치+단체 → 지방자치단체, 한빛+시 → 한빛시
    runs: list[list[Morph]] = []
    for t in toks:
        joinable = t.tag.startswith(CLOZE_TAGS) or t.tag in ("XSN", "NNB", "SN")
        if joinable and runs and runs[-1] and runs[-1][-1].end == t.start:
            runs[-1].append(t)
        elif t.tag.startswith(CLOZE_TAGS):
            runs.append([t])
        else:
            runs.append([])
    best, best_w = None, 0.0
    for run in runs:
        while run and not run[-1].tag.startswith(CLOZE_TAGS):  # no trailing suffix/unit alone
            if run[-1].tag == "XSN" and len(run) > 1:
                break
            run = run[:-1]
        if not run:
            continue
        if proper_only and not any(t.tag.startswith(("NNP", "SL")) for t in run):
            continue
        start, end = run[0].start, run[-1].end
        form = text[start:end]
        if len(form) < 2 or len(form) > 20 or form.isdigit() or text.count(form) != 1:
            continue
        norm = lex.terms(form)
        w = max((lex.weights(x) for x in norm), default=0.0) if norm else 0.0
        w += 0.01 * min(len(form), 10)  # prefer the longer of equally rare terms
        if w > best_w:
            best, best_w = form, w
    return best


def cloze(sec: Section, lex: Lexicon) -> list[Candidate]:
    out = []
    sources = _cloze_sources(sec)
    if not sec.structured:
        keep = {u.line for u in _key_sentences(sec, lex)[:12]}
        sources = [(u, t) for u, t in sources if u.line in keep]
    for u, text in sources:
        term = _key_term(text, lex)
        if not term:
            continue
        blanked = text.replace(term, BLANK, 1)
        title = sec.short_title if sec.structured else sec.title
        out.append(Candidate("cloze", f"[{title}] 빈칸에 들어갈 말은?\n{blanked}", (), term,
                             f"노트: {text}", sec, u, fact_of(sec, u) + ":cloze"))
    return out
