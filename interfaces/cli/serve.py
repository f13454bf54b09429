"""`serve`: the web app for a class — N app instances on one learning record (set
STUDY_DATABASE_URL to a PostgreSQL database) and one index folder, behind nginx on --port, a
browser kept on one instance by a routing cookie. SIGTERM or Ctrl-C stops everything it started.
With `--instances 1` and no nginx wanted, `python app.py` is the simpler way."""
from __future__ import annotations

import argparse
import signal
from pathlib import Path

from studyapp import Cluster, ClusterError

from .common import UsageError, add_record_options, err, settings_from


def register(sub) -> None:
    p = sub.add_parser("serve", help="여러 앱 인스턴스를 nginx 뒤에서 실행 (a class: N instances behind nginx)")
    p.add_argument("--instances", type=int, default=2, help="앱 프로세스 수 (기본 2)")
    p.add_argument("--port", type=int, default=None, help="nginx 포트 (기본: $GRADIO_SERVER_PORT 또는 7860)")
    p.add_argument("--run-dir", type=Path, default=Path("run"),
                   help="nginx 설정·로그·pid 파일과 인스턴스 로그를 둘 폴더 (기본 ./run)")
    p.add_argument("--corpus", type=Path, default=None, help="노트 폴더 (기본: $STUDY_CORPUS_DIR 또는 ./corpus)")
    p.add_argument("--index", type=Path, default=None, help="색인 폴더 (기본: $STUDY_INDEX_DIR 또는 ./index)")
    add_record_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    port = args.port if args.port is not None else settings.port
    if not 1 <= port <= 65535:
        raise UsageError(f"--port 는 1~65535 여야 합니다: {port}")
    env = {"STUDY_CORPUS_DIR": str(Path(settings.corpus_dir).resolve()),
           "STUDY_INDEX_DIR": str(Path(settings.index_dir).resolve()),
           "STUDY_DATA_DIR": str(Path(settings.data_dir).resolve())}
    if settings.database_url:
        env["STUDY_DATABASE_URL"] = settings.database_url
    else:
        err("경고: STUDY_DATABASE_URL 이 없어 SQLite 파일 하나를 모든 인스턴스가 나눠 씁니다; 반 전체라면 PostgreSQL을 쓰세요.")
    try:
        cluster = Cluster(args.instances, port, args.run_dir, env=settings.child_environment(env), listen=settings.host, report=err)
    except ClusterError as exc:
        raise UsageError(str(exc)) from None
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, cluster.request_stop)
    try:
        cluster.start()
    except ClusterError as exc:
        err(f"오류: {exc}")
        return 1
    except KeyboardInterrupt:
        return 130
    err(f"준비 완료: http://{settings.host}:{port} (인스턴스 {args.instances}개, 실행 폴더 {cluster.run_dir}); "
        "Ctrl-C 로 모두 멈춥니다")
    try:
        return cluster.serve_forever()
    finally:
        cluster.stop()
