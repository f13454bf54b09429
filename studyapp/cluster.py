"""Several app instances behind nginx on one machine (`python -m tutor serve`): N `app.py`
processes, each on its own 127.0.0.1 port with the same notes, index folder and learning record
(`STUDY_DATABASE_URL`), and an nginx in front (the Debian package, run as a plain process with
its own configuration, pid and logs in the run folder — no systemd).

The run folder holds `nginx.conf`, `nginx.pid`, `nginx-access.log`, `nginx-error.log`, and per
instance `app-K.log` and `app-K.pid`; `instances.json` names each instance's port and pid.
`stop()` (SIGTERM or Ctrl-C in `python -m tutor serve`) ends everything it started. An instance
that dies is not restarted: nginx takes it out and its learners log in on another.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from . import nginx_conf

APP_PY = Path(__file__).resolve().parents[1] / "app.py"
NGINX_PACKAGE = "nginx"
STOP_WAIT_S = 20.0


class ClusterError(RuntimeError):
    """The cluster cannot start: one Korean line (nginx missing, a port taken, an instance dead)."""


def find_nginx() -> str:
    """The nginx binary, or `ClusterError` naming the Debian package."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin:/usr/local/sbin")
    if found is None:
        raise ClusterError(f"nginx가 없습니다 — 설치: apt-get install {NGINX_PACKAGE} "
                           f"(Debian package '{NGINX_PACKAGE}' is needed for --instances)")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether an HTTP server answers at `url` (any status: a login page counts)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


@dataclass
class Instance:
    name: str
    port: int
    log: Path
    pid_file: Path
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass
class Cluster:
    instances: int
    port: int
    run_dir: Path
    env: Mapping[str, str] = field(default_factory=dict)  # the instances' whole environment (Settings.child_environment)
    listen: str = "127.0.0.1"
    report: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr, flush=True)
    index_first: bool = True  # bring the index up to date once, before the instances start
    apps: list[Instance] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        if not 1 <= self.instances <= 32:
            raise ClusterError(f"--instances 는 1~32 여야 합니다: {self.instances}")
        self.run_dir = Path(self.run_dir).resolve()

    # -- start ----------------------------------------------------------------------------
    def start(self, ready_timeout: float = 1800.0) -> "Cluster":
        """Write the config, start the instances and wait until each answers, then nginx."""
        binary = find_nginx()
        if answers(f"http://{self.listen}:{self.port}/", timeout=1.0):
            raise ClusterError(f"포트 {self.port} 를 이미 다른 프로그램이 쓰고 있습니다 (port in use)")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "tmp").mkdir(exist_ok=True)
        try:
            if self.index_first:
                self._index_once()
            for k in range(1, self.instances + 1):
                self._start_app(k)
            self._write_state()
            self._wait_apps(ready_timeout)
            self._start_nginx(binary)
        except BaseException:
            self.stop()
            raise
        self._write_state()
        return self

    def _index_once(self) -> None:
        """`python -m tutor index` once (under the index folder's lock), so that the instances
        load one current generation instead of each reading the notes."""
        self.report("색인을 확인합니다 (python -m tutor index)…")
        with open(self.run_dir / "index.log", "ab") as log:
            proc = subprocess.Popen([sys.executable, "-m", "tutor", "index"], cwd=str(APP_PY.parent), env=dict(self.env),
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            while proc.poll() is None:
                if self._stop.wait(0.5):
                    proc.terminate()
                    proc.wait()
                    raise KeyboardInterrupt
        if proc.returncode != 0:
            tail = (self.run_dir / "index.log").read_text(encoding="utf-8", errors="replace")[-1200:]
            raise ClusterError(f"색인을 만들지 못했습니다 (exit {proc.returncode}):\n{tail}")

    def _start_app(self, k: int) -> None:
        inst = Instance(f"app-{k}", free_port(), self.run_dir / f"app-{k}.log", self.run_dir / f"app-{k}.pid")
        env = {**self.env, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(inst.port),
               "PYTHONUNBUFFERED": "1"}
        with open(inst.log, "ab") as log:
            inst.proc = subprocess.Popen([sys.executable, str(APP_PY)], cwd=str(APP_PY.parent), env=env,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        inst.pid_file.write_text(f"{inst.proc.pid}\n", encoding="utf-8")
        self.apps.append(inst)
        self.report(f"{inst.name}: pid {inst.proc.pid}, http://127.0.0.1:{inst.port} (로그 {inst.log})")

    def _wait_apps(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(self.apps)
        while waiting:
            for inst in list(waiting):
                if not inst.alive:
                    tail = inst.log.read_text(encoding="utf-8", errors="replace")[-1500:]
                    raise ClusterError(f"{inst.name} 이(가) 시작하지 못했습니다 (exit {inst.proc.returncode}):\n{tail}")
                if answers(inst.url):
                    waiting.remove(inst)
                    self.report(f"{inst.name}: 준비 완료")
            if waiting and time.monotonic() > deadline:
                raise ClusterError(f"{', '.join(i.name for i in waiting)}: {timeout:.0f}초 안에 응답하지 않았습니다")
            if waiting and self._stop.wait(0.5):
                raise KeyboardInterrupt

    def _start_nginx(self, binary: str) -> None:
        conf = self.run_dir / "nginx.conf"
        conf.write_text(nginx_conf.render(self.run_dir, self.listen, self.port, [i.port for i in self.apps]),
                        encoding="utf-8")
        base = [binary, "-p", str(self.run_dir), "-c", str(conf), "-e", str(self.run_dir / "nginx-error.log")]
        check = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise ClusterError(f"nginx 설정 오류: {check.stderr.strip()[-800:]}")
        with open(self.run_dir / "nginx-stderr.log", "ab") as log:
            self.nginx = subprocess.Popen([*base, "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)
        deadline = time.monotonic() + 30
        while not answers(f"http://{self.listen}:{self.port}/"):
            if self.nginx.poll() is not None or time.monotonic() > deadline:
                raise ClusterError("nginx가 시작하지 못했습니다: "
                                   + (self.run_dir / "nginx-error.log").read_text(errors="replace")[-800:])
            time.sleep(0.1)
        self.report(f"nginx: pid {self.nginx.pid}, http://{self.listen}:{self.port} → {len(self.apps)}개 인스턴스")

    def _write_state(self) -> None:
        state = {"port": self.port, "listen": self.listen, "nginx_pid": self.nginx.pid if self.nginx else None,
                 "instances": [{"name": i.name, "port": i.port, "pid": i.proc.pid if i.proc else None,
                                "log": str(i.log)} for i in self.apps]}
        tmp = self.run_dir / "instances.json.tmp"
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        os.replace(tmp, self.run_dir / "instances.json")

    # -- run and stop ---------------------------------------------------------------------
    def request_stop(self, *_args) -> None:
        """Ask `serve_forever` to stop everything (a signal handler)."""
        self._stop.set()

    def serve_forever(self, poll: float = 1.0) -> int:
        """Watch the processes until a stop is asked (or nginx dies); say when an instance
        dies. Returns 0, or 1 when nginx died."""
        dead: set[str] = set()
        while not self._stop.wait(poll):
            for inst in self.apps:
                if not inst.alive and inst.name not in dead:
                    dead.add(inst.name)
                    self.report(f"⚠️ {inst.name} 이(가) 멈췄습니다 (exit {inst.proc.returncode}): nginx가 다른 "
                                "인스턴스로 보냅니다")
            if self.nginx is None or self.nginx.poll() is not None:
                self.report("⚠️ nginx가 멈췄습니다: 모두 멈춥니다")
                return 1
        return 0

    def stop(self) -> None:
        """End nginx and every instance (SIGTERM, then SIGKILL after a wait); remove pid files."""
        procs = ([self.nginx] if self.nginx else []) + [i.proc for i in self.apps if i.proc]
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_S
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for inst in self.apps:
            inst.pid_file.unlink(missing_ok=True)
        self.report("모든 프로세스를 멈췄습니다 (stopped).")
