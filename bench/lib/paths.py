"""Where the benchmarks find things: the repository, its question sets and notes (bench/data),
the git-ignored scratch folder (bench/out), RESULTS.md (current figures) and results/ (each
benchmark's history), and MS MARCO-ko (read in place, never copied into the repository)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
DATA = BENCH / "data"
OUT = BENCH / "out"
RESULTS = BENCH / "RESULTS.md"  # the current figures of every benchmark
RESULTS_DIR = BENCH / "results"  # <benchmark>.md: every run of one benchmark, newest first

SEED_NOTES = ROOT / "corpus"
PAGES = DATA / "pages"  # 60 plain-text Korean pages, the stand-in for OCR'd document pages
SECOND_NOTES = DATA / "second-notes"  # a networking exam note of another shape
DEVSET = DATA / "devset.jsonl"  # 72 questions over the seed notes, by section
PAGES_QUESTIONS = DATA / "pages_questions.jsonl"  # 120 questions over the pages, by page
ANSWER_FACTS = DATA / "answer_facts.jsonl"  # 40 seed questions with the facts an answer must hold
SECOND_FACTS = DATA / "second_facts.jsonl"  # 20 questions with facts over the second notes

MSMARCO = ROOT.parent / "shared/bench-data/msmarco-ko"  # BEIR layout: corpus.jsonl, queries.jsonl, qrels.tsv
