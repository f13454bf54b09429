"""`optimize`: fit the learner's own FSRS parameters from their reviews (py-fsrs's optimizer on
the earlier 80 %), keep them only when they predict the latest 20 % better than the defaults."""
from __future__ import annotations

import argparse
import json

from studyapp import OptimizeResult

from .common import add_common, add_record_options, err, open_learner


def register(sub) -> None:
    p = sub.add_parser("optimize", help="내 복습 기록으로 FSRS 매개변수 맞추기 (personal FSRS parameters)")
    add_common(p)
    add_record_options(p)
    p.set_defaults(func=run)


def print_result(r: OptimizeResult) -> None:
    loss = (lambda x: "-" if x is None else f"{x:.4f}")  # noqa: E731
    print(f"👤 {r.user} · 답 {r.reviews}개 · 학습에 쓰인 복습 {r.counted}개 · 검증한 예측 {r.held_out}개")
    print(f"log loss (최근 20%): 기본값 {loss(r.logloss_default)} · 맞춘 값 {loss(r.logloss_fitted)}")
    print(r.message)


def run(args: argparse.Namespace) -> int:
    app, user = open_learner(args, sync=False)
    err("FSRS 매개변수를 맞추는 중입니다 (수 초)…")
    result = app.optimize(user)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False), flush=True)
    else:
        print_result(result)
    return 0
