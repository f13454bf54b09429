"""`class`: the teacher's view of the class — `class progress` (learners × sections mastery,
answers in the last 7 days, who has not studied for 7), `class items` (item analysis: facility,
discrimination, flags), `class retire ITEM_ID [--restore]`. `--user` must be a teacher account."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from studyapp import FLAG_WORDS, ClassProgress, ItemAnalysis

from .common import add_common, add_record_options, err, open_learner


def register(sub) -> None:
    p = sub.add_parser("class", help="반 현황과 문항 분석 (teachers: class progress, item analysis)")
    verbs = p.add_subparsers(dest="class_command", required=True)
    progress = verbs.add_parser("progress", help="학습자 × 단원 숙달도, 최근 7일 답 수, 7일째 공부하지 않은 학습자")
    items = verbs.add_parser("items", help="문항 분석: 정답률(난이도), 변별도, 표시 (첫 답 10개 이상인 문항)")
    retire = verbs.add_parser("retire", help="문항을 모두에게서 빼기 (기록은 남음); --restore 로 되돌리기")
    retire.add_argument("item_id")
    retire.add_argument("--restore", action="store_true", help="뺀 문항을 되돌리기")
    for q in (progress, items):
        q.add_argument("--csv", type=Path, default=None, help="CSV 파일로도 저장 (Excel에서 열림)")
    for q in (progress, items, retire):
        add_common(q)
        add_record_options(q)
        q.set_defaults(func=run)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def print_progress(cp: ClassProgress) -> None:
    print(f"👥 학습자 {len(cp.learners)}명 · 최근 7일 답 {sum(s.attempts_7d for s in cp.learners)}개 · "
          f"7일째 공부하지 않음: {', '.join(cp.inactive) or '없음'}")
    print("학습자".ljust(16) + " ".join(f"{k + 1:>5d}" for k in range(len(cp.sections))) + "   7일 답  마지막 답")
    for s in cp.learners:
        last = s.last_at.strftime("%m-%d %H:%M") if s.last_at else "-"
        print(s.user[:15].ljust(16) + " ".join(f"{m:5.0%}" for m in s.mastery) + f"   {s.attempts_7d:6d}  {last}")
    for k, section in enumerate(cp.sections, start=1):
        print(f"  {k}. {section}")


def print_items(ia: ItemAnalysis) -> None:
    print(f"📊 문항 {len(ia.items)}개 (학습자 {ia.learners}명의 첫 답 {ia.min_answers}개 이상; 그보다 적은 문항 {ia.fewer}개)")
    print("  정답률  변별도  답 수  표시 / 문항")
    for r in ia.items:
        flags = ", ".join(FLAG_WORDS[f] for f in r.stat.flags) or "-"
        retired = " [뺌]" if r.retired else ""
        disc = "-" if r.stat.discrimination is None else f"{r.stat.discrimination:+.2f}"
        print(f"  {_pct(r.stat.facility):>5}  {disc:>6}  {r.stat.answers:5d}  {flags}{retired} / "
              f"{r.question.splitlines()[0][:60]}  — {r.item_id}")


def run(args: argparse.Namespace) -> int:
    app, user = open_learner(args, sync=args.class_command == "progress")
    verb = args.class_command
    if verb == "retire":
        changed = app.retire_item(user, args.item_id, retired=not args.restore)
        what = "되돌렸습니다" if args.restore else "뺐습니다 (아무에게도 다시 내지 않음, 기록은 남음)"
        err(f"{args.item_id}: {what}" if changed else f"{args.item_id}: 이미 그렇게 되어 있습니다")
        return 0
    data = app.class_progress(user) if verb == "progress" else app.item_stats(user)
    if args.csv is not None:
        path = app.export_class(user, verb)
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        args.csv.write_bytes(path.read_bytes())
        err(f"CSV로 저장했습니다: {args.csv}")
    if args.json:
        print(json.dumps(data.to_dict(), ensure_ascii=False), flush=True)
    elif verb == "progress":
        print_progress(data)  # type: ignore[arg-type]
    else:
        print_items(data)  # type: ignore[arg-type]
    return 0
