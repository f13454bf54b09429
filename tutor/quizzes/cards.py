"""Items any note can give: flashcards (term → meaning, heading → key sentence) and cloze
sentences with one key term blanked.

A blank is a key term by statistics: a name (a Latin word or a proper noun), a noun compound,
an amount with its unit, or a noun that is rare in Korean at large (`Lexicon.rarity`, Kiwi's
language model) — never a particle, an ending, a verb or an everyday noun such as 중단 or
대비. Flashcards are not made from ✅/❌ bullets: their label is a claim and their text the
reason, the same thing said twice (they are asked as O/X and multiple choice instead).
"""
from __future__ import annotations

from ..common.labels import readable_label
from ..common.question_type import UNIT_RE
from .candidates import BLANK, Candidate, fact_of
from .lexicon import NOUN_TAGS, Lexicon, Morph
from .options import strip_letters
from retriever.structure import Section, Unit

AMOUNT_RARITY = 15.0  # an amount as a blank: below a name, above any everyday word
_LOOSE_SUFFIXES = frozenset("용 당 별 들 적 간 상 내 외".split())  # ETL용, 쿼리당: the noun alone is the term
_VENDOR = frozenset({"aws", "amazon"})  # in every service name: says nothing


def flashcards(sec: Section, lex: Lexicon) -> list[Candidate]:
    out = []
    if sec.scenario is not None and sec.answer_text:
        out.append(Candidate("flashcard", f"[문제 시나리오] {sec.scenario.value}", (), sec.answer_text,
                             f"정답: {sec.answer_text}", sec, sec.scenario, fact_of(sec, sec.scenario)))
    for p in sec.points:
        out.append(Candidate("flashcard", f"[{sec.short_title}] {p.term}", (), p.value,
                             f"시험 포인트: {p.term} = {p.value}", sec, p, fact_of(sec, p) + ":card"))
    for u in sec.units:
        if u.kind == "bullet" and u.term and u.value and len(u.value) >= 8:
            label = readable_label(u.sub) if u.sub else ""
            where = f" · {label}" if label else ""
            out.append(Candidate("flashcard", f"[{sec.short_title}{where}] {u.term}", (), u.value,
                                 f"노트{' (' + label + ')' if label else ''}: {u.term}: {u.value}", sec, u,
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
            title = readable_label(title)
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
        text = strip_letters(text.lstrip("✅❌🔶❓ ").strip())
        if 12 <= len(text) <= 220:
            out.append((u, text))
    return out


def _key_sentences(sec: Section, lex: Lexicon) -> list[Unit]:
    """Prose units richest in rare terms (for notes without the exam structure)."""
    units = [u for u in sec.units if u.kind in ("text", "bullet") and 20 <= len(u.plain) <= 240]
    scored = []
    for u in units:
        terms = lex.term_set(u.plain)
        scored.append((sum(lex.rarity(t) for t in terms) / (1 + len(u.plain) / 80), u.line, u))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [u for _, _, u in scored]


def _noun_runs(toks: tuple[Morph, ...]) -> list[list[Morph]]:
    """Runs of touching noun-like morphemes: 지방자치+단체 → 지방자치단체, 한빛+시 → 한빛시."""
    runs: list[list[Morph]] = []
    for t in toks:
        joinable = t.tag.startswith(NOUN_TAGS) or t.tag in ("XSN", "NNB", "SN")
        if joinable and runs and runs[-1] and runs[-1][-1].end == t.start:
            runs[-1].append(t)
        elif t.tag.startswith(NOUN_TAGS):
            runs.append([t])
        else:
            runs.append([])
    out = []
    for run in runs:
        while run and not run[-1].tag.startswith(NOUN_TAGS):  # no trailing suffix/unit alone
            if run[-1].tag == "XSN" and len(run) > 1 and run[-1].form not in _LOOSE_SUFFIXES:
                break
            run = run[:-1]
        if run:
            out.append(run)
    return out


def _key_term(text: str, lex: Lexicon, proper_only: bool = False) -> str | None:
    """The sentence's key term: a noun compound, name or amount, the rarest by `Lexicon.rarity`
    (`proper_only`: one holding a proper noun or a Latin word); everyday nouns never."""
    best, best_w = None, 0.0
    for run in _noun_runs(lex.morphemes(text)):
        if proper_only and not any(t.tag.startswith(("NNP", "SL")) for t in run):
            continue
        form = text[run[0].start:run[-1].end]
        if len(form) < 2 or len(form) > 20 or form.isdigit() or text.count(form) != 1 or lex.common(form) \
                or form.lower() in _VENDOR:
            continue
        nouns = sum(t.tag.startswith(NOUN_TAGS) for t in run)
        # a compound of nouns is a term of its own; the longer of equally rare terms wins
        w = lex.rarity(form) + (3.0 if nouns > 1 else 0.0) + 0.01 * min(len(form), 10)
        if w > best_w:
            best, best_w = form, w
    if not proper_only:
        for m in UNIT_RE.finditer(text):
            form = m.group(0).strip()
            glued = m.start() > 0 and text[m.start() - 1].isalnum()  # "x86 대비" is no amount
            if not glued and text.count(form) == 1 and AMOUNT_RARITY > best_w:
                best, best_w = form, AMOUNT_RARITY
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
