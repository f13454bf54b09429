"""Deterministic OCR-like corruption of Korean text, to turn the clean pages stand-in into a
proxy for OCR'd document pages (bench/studies/fusion_study.md, issue 12). Questions stay clean: learners
type them.

The error kinds are the ones Korean OCR output shows:

- spaces between words dropped (`drop_space` of the spaces; word boundaries vanish);
- spurious spaces inside words (`add_space` of the boundaries between two Hangul syllables);
- Hangul syllables read as a visually similar one (`syllable` of the syllables): a vowel that
  differs by a stroke (어/여, 오/요, 우/유, 아/야, 애/에, 으/오, 으/우 …), a final consonant
  that differs by a stroke (ㄴ/ㄷ, ㄷ/ㄹ, ㅁ/ㅇ, ㅁ/ㅂ, ㄱ/ㄲ, ㅅ/ㅆ, or a final lost), an
  initial consonant that gains or loses a stroke (ㄱ/ㅋ, ㄷ/ㅌ, ㅈ/ㅊ, ㅇ/ㅎ, ㅂ/ㅍ);
- digits and Latin letters confused (0/O/o, 1/l/I, 5/S, 8/B, 2/Z; `confuse` of those characters);
- punctuation dropped or doubled (`punct` of the marks);
- line breaks in the middle of a sentence (`newline` of the spaces become a line break; and
  `wrap`: a hard line break every ~`wrap` characters, wherever it falls, even inside a word,
  like the line ends of a scanned page).

    python -m bench.lib.ocr_noise bench/data/pages /tmp/pages-ocr2 --level 2 --seed 1
"""
from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3

# jamo indices of a syllable = 0xAC00 + (initial * 21 + vowel) * 28 + final
_VOWELS = {0: (2,), 2: (0,), 4: (6,), 6: (4,), 8: (12, 18), 12: (8,), 13: (17, 18), 17: (13,),
           18: (8, 13), 1: (5, 3), 5: (1, 7), 3: (1,), 7: (5,), 20: (0, 4)}  # ㅏㅑ ㅓㅕ ㅗㅛ ㅜㅠ ㅡ ㅐㅔ ㅣ
_FINALS = {4: (7, 0), 7: (4, 8), 8: (7, 4), 16: (21, 17), 21: (16, 0), 17: (16,), 1: (2, 0), 2: (1,),
           19: (20, 0), 20: (19,), 0: (4, 8)}  # ㄴ ㄷ ㄹ ㅁ ㅇ ㅂ ㄱ ㄲ ㅅ ㅆ, none → ㄴ/ㄹ
_INITIALS = {0: (15,), 15: (0,), 3: (16,), 16: (3,), 12: (14,), 14: (12,), 11: (18,), 18: (11,),
             7: (17,), 17: (7,)}  # ㄱㅋ ㄷㅌ ㅈㅊ ㅇㅎ ㅂㅍ
_CONFUSE = {"0": "Oo", "O": "0", "o": "0", "1": "lI", "l": "1I", "I": "1l", "5": "S", "S": "5",
            "8": "B", "B": "8", "2": "Z", "Z": "2"}
_PUNCT = set(".,·:;()[]%~!?'\"-")


@dataclass(frozen=True)
class Rates:
    drop_space: float = 0.0
    add_space: float = 0.0
    syllable: float = 0.0
    confuse: float = 0.0
    punct: float = 0.0
    newline: float = 0.0
    wrap: int = 0  # 0: no hard line wrap


# 1–3: the rates OCR of a fair scan shows; 4: a poor scan, the level whose keyword / semantic
# profile comes closest to the held-out OCR pages (bench/studies/fusion_study.md).
LEVELS = {
    1: Rates(drop_space=0.15, add_space=0.02, syllable=0.02, confuse=0.05, punct=0.05, newline=0.01),
    2: Rates(drop_space=0.25, add_space=0.03, syllable=0.05, confuse=0.10, punct=0.10, newline=0.02, wrap=42),
    3: Rates(drop_space=0.30, add_space=0.05, syllable=0.10, confuse=0.20, punct=0.20, newline=0.03, wrap=36),
    4: Rates(drop_space=0.35, add_space=0.08, syllable=0.15, confuse=0.25, punct=0.25, newline=0.03, wrap=32),
}


def is_hangul(ch: str) -> bool:
    return len(ch) == 1 and HANGUL_FIRST <= ord(ch) <= HANGUL_LAST


def similar_syllable(ch: str, rng: random.Random) -> str:
    """A visually similar syllable: one jamo (vowel, final or initial) swapped for its look-alike."""
    code = ord(ch) - HANGUL_FIRST
    ini, vow, fin = code // 588, (code % 588) // 28, code % 28
    options = [("v", v) for v in _VOWELS.get(vow, ())] + [("f", f) for f in _FINALS.get(fin, ())]
    options += [("i", i) for i in _INITIALS.get(ini, ())]
    if not options:
        return ch
    part, new = rng.choice(options)
    if part == "v":
        vow = new
    elif part == "f":
        fin = new
    else:
        ini = new
    return chr(HANGUL_FIRST + (ini * 21 + vow) * 28 + fin)


def corrupt(text: str, rates: Rates | int, seed: int = 0) -> str:
    """`text` with OCR-like errors at `rates` (or a level of LEVELS); the same seed, the same
    output. Blank lines (paragraph breaks) are kept, so the page's structure survives."""
    r = LEVELS[rates] if isinstance(rates, int) else rates
    rng = random.Random(seed)
    out: list[str] = []
    for para in text.split("\n\n"):
        lines = [_corrupt_line(line, r, rng) for line in para.split("\n")]
        para = "\n".join(lines)
        out.append(_wrap(para, r.wrap, rng) if r.wrap else para)
    return "\n\n".join(out)


def _corrupt_line(line: str, r: Rates, rng: random.Random) -> str:
    chars: list[str] = []
    prev = ""
    for ch in line:
        if ch == " ":
            x = rng.random()
            if x < r.drop_space:
                prev = ch
                continue
            chars.append("\n" if x < r.drop_space + r.newline else " ")
        elif is_hangul(ch):
            if is_hangul(prev) and rng.random() < r.add_space:
                chars.append(" ")
            chars.append(similar_syllable(ch, rng) if rng.random() < r.syllable else ch)
        elif ch in _CONFUSE:
            chars.append(rng.choice(_CONFUSE[ch]) if rng.random() < r.confuse else ch)
        elif ch in _PUNCT and rng.random() < r.punct:
            if rng.random() < 0.5:
                chars.append(ch * 2)
        else:
            chars.append(ch)
        prev = ch
    return "".join(chars)


def _wrap(para: str, width: int, rng: random.Random) -> str:
    """Hard line breaks every width ± 20 % characters, wherever they fall (the scan's line ends);
    a break that lands on a space replaces it."""
    out, n = [], 0
    limit = width + rng.randint(-width // 5, width // 5)
    for ch in para:
        if ch == "\n":
            n = 0
            out.append(ch)
            continue
        if n >= limit:
            n, limit = 0, width + rng.randint(-width // 5, width // 5)
            out.append("\n")
            if ch == " ":
                continue
        out.append(ch)
        n += 1
    return "".join(out)


def corrupt_folder(src: Path, dst: Path, rates: Rates | int, seed: int = 0) -> list[Path]:
    """Noised copies of `src`'s *.txt / *.md files in `dst` (each file seeded by seed and its
    name); files already identical are left alone, so an index over `dst` stays current."""
    dst.mkdir(parents=True, exist_ok=True)
    written = []
    for p in sorted(src.iterdir()):
        if p.suffix not in (".txt", ".md"):
            continue
        text = corrupt(p.read_text(encoding="utf-8"), rates, seed=hash_seed(seed, p.name))
        q = dst / p.name
        if not q.exists() or q.read_text(encoding="utf-8") != text:
            q.write_text(text, encoding="utf-8")
        written.append(q)
    return written


def hash_seed(seed: int, name: str) -> int:
    """A stable per-file seed (Python's hash() of a str changes between runs)."""
    h = seed * 1_000_003
    for b in name.encode("utf-8"):
        h = (h * 31 + b) % (1 << 61)
    return h


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path)
    ap.add_argument("dst", type=Path)
    ap.add_argument("--level", type=int, default=2, choices=sorted(LEVELS))  # noqa: E501
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    files = corrupt_folder(args.src, args.dst, args.level, args.seed)
    print(f"{len(files)} files → {args.dst}")


if __name__ == "__main__":
    main()
