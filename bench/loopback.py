"""Shared by the benchmarks and load scripts that drive a real gunicorn over loopback: start the `make run`
server on a free port, make JSON/multipart calls, run a batch of calls from concurrent clients and report
requests/s, p50/p95 latency and the statuses seen."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "src"))


def prepare_environment() -> dict:
    """A throw-away SQLite database unless DATABASE_URL is set; migrated; Django set up in this process."""
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        env["LINGJUN_VAR_DIR"] = tempfile.mkdtemp(prefix="lingjun-bench-")
    env.setdefault("LINGJUN_SECRET_KEY", "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    env["DJANGO_SETTINGS_MODULE"] = "lingjun.settings"
    os.environ.update(env)
    subprocess.run(
        [os.path.join(ROOT, ".venv", "bin", "python"), "-m", "lingjun", "migrate", "-v0"], check=True, env=env
    )
    import django

    django.setup()
    return env


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@contextlib.contextmanager
def gunicorn(env: dict, workers: str = "4", threads: str = "4"):
    """The production server (as `make run` starts it) on a free loopback port → its base URL."""
    from django.db import connections

    connections.close_all()  # the server's processes must not share this process's connections
    port = free_port()
    server = subprocess.Popen(
        [
            os.path.join(ROOT, ".venv", "bin", "gunicorn"),
            "lingjun.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        # The first worker answers while the others are still importing Django: let them all boot, so the
        # first measured batch does not time the start-up.
        time.sleep(float(os.environ.get("BENCH_WARMUP_SECONDS", "2")))
        with cf.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: urllib.request.urlopen(base + "/healthz", timeout=10).read(), range(64)))
        yield base
    finally:
        server.terminate()
        server.wait(10)


def call(
    base: str,
    method: str,
    path: str,
    token: str | None = None,
    body: bytes | None = None,
    content_type: str = "application/json",
) -> tuple[int, str, float, dict]:
    """→ (status, error code or "", seconds, parsed JSON body or {})."""
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers)
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            raw = r.read()
            status, code = r.status, ""
    except urllib.error.HTTPError as e:
        raw = e.read() or b"{}"
        status = e.code
        code = ""
    elapsed = time.perf_counter() - t0
    try:
        data = json.loads(raw) if raw[:1] in (b"{", b"[") else {}
    except ValueError:
        data = {}
    if status >= 400 and isinstance(data, dict):
        code = data.get("code", "")
    return status, code, elapsed, data


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body → (body, content type)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Tally:
    """Latencies and statuses of one kind of request, collected from many threads."""

    def __init__(self, label: str):
        self.label = label
        self.latencies: list[float] = []
        self.statuses: dict[str, int] = {}
        self.started = time.perf_counter()
        self.ended = self.started

    def start(self) -> None:
        self.started = self.ended = time.perf_counter()

    def add(self, status: int, code: str, seconds: float) -> None:
        key = f"{status} {code}".strip()
        self.statuses[key] = self.statuses.get(key, 0) + 1  # dict updates are atomic under the GIL
        self.latencies.append(seconds)
        self.ended = time.perf_counter()

    def count(self, prefix: str) -> int:
        return sum(v for k, v in self.statuses.items() if k.startswith(prefix))

    def line(self, wall: float | None = None) -> str:
        lat = sorted(self.latencies) or [0.0]
        wall = wall if wall is not None else max(self.ended - self.started, 1e-9)
        return (
            f"{self.label:<30} {len(self.latencies):>6} req  {len(self.latencies) / wall:8.1f} req/s  "
            f"p50 {statistics.median(lat) * 1000:7.1f} ms  p95 {lat[max(0, int(len(lat) * 0.95) - 1)] * 1000:8.1f} ms"
            f"  statuses {self.statuses}"
        )


def run(label: str, fn, n: int, clients: int) -> tuple[float, Tally]:
    """fn(i) → (status, code, seconds, ...) for i in range(n), from `clients` threads → (requests/s, tally)."""
    tally = Tally(label)
    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(clients) as pool:
        for result in pool.map(fn, range(n)):
            tally.add(*result[:3])
    wall = time.perf_counter() - t0
    print(tally.line(wall) + f"  wall {wall:5.1f} s", flush=True)
    return n / wall, tally
