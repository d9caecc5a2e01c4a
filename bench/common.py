"""Shared plumbing for the benchmarks: a PostgreSQL database, gunicorn servers and wrk."""
from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG = os.environ.get("BENCH_PG", "postgresql+psycopg://huanxin@127.0.0.1:5432")


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk")


def ensure_db(name: str) -> str:
    """A database of the bench's own (the test database is dropped by every test run)."""
    r = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc",
                        f"SELECT 1 FROM pg_database WHERE datname='{name}'"], capture_output=True, text=True, check=True)
    if r.stdout.strip() != "1":
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "-O", "huanxin", name], check=True)
    return f"{PG}/{name}"


def pinned(cpus: str | None) -> list[str]:
    """A command prefix that runs a command on ``cpus`` only (nothing when None)."""
    return ["taskset", "-c", cpus] if cpus else []


def pin_pids(pids: list[int], cpus: str) -> None:
    """Move running processes, every thread of each, to ``cpus`` (taskset -a)."""
    for pid in pids:
        subprocess.run(["taskset", "-a", "-p", "-c", cpus, str(pid)], check=True, capture_output=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving `target` on a free loopback port."""

    def __init__(self, target: str, env: dict, workers: int = 2, threads: int = 4, cpus: str | None = None):
        """``cpus`` (e.g. "0") pins the master and its workers to those CPUs (taskset)."""
        self.port = free_port()
        self.proc = subprocess.Popen(
            pinned(cpus) + [str(VENV_BIN / "gunicorn"), "-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", target], cwd=ROOT, env={**os.environ, **env},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                # The master binds before its workers have imported the app (seconds on a loaded
                # machine): wait for an answer, any status, not just an open port.
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/__ready__")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn for {target} did not start")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU of every process in a process group (gunicorn master and workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the command: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def wrk(url: str, seconds: int = 10, connections: int = 16, threads: int = 2, *, script: str | None = None,
        pgid: int | None = None) -> dict:
    """wrk against `url` (a Lua `script` may shape the requests). With the server's process group
    `pgid`, also requests per CPU-second of the server: steadier than req/s on a shared machine."""
    cpu = group_cpu_seconds(pgid) if pgid else 0.0
    cmd = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    out = subprocess.run(cmd + (["-s", script] if script else []) + [url],
                         capture_output=True, text=True, check=True).stdout
    cpu = group_cpu_seconds(pgid) - cpu if pgid else 0.0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} error responses\n{out}")
    done = int(re.search(r"(\d+) requests in", out).group(1))
    if done == 0:  # a server still starting its workers under load: say so rather than report 0
        raise RuntimeError(f"{url}: no request completed\n{out}")
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "per_cpu_second": round(done / cpu) if cpu else None, "p50": lat.get("50"), "p99": lat.get("99")}


def flask(*args: str, env: dict) -> None:
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env={**os.environ, **env}, check=True)


def compare(ours: str, base: str, seconds: int, rounds: int = 3, *, pgids: tuple[int, int] | None = None) -> dict:
    """Alternate the two targets for several rounds and report the median of each, so that a
    burst of background load hurts both sides alike. With the servers' process groups, also the
    median ratio of requests per server CPU-second."""
    pa, pb = pgids or (None, None)
    wrk(ours, 2), wrk(base, 2)  # warm up
    a, b = [], []
    for _ in range(rounds):
        a.append(wrk(ours, seconds, pgid=pa))
        b.append(wrk(base, seconds, pgid=pb))
    med = lambda xs: sorted(xs, key=lambda r: r["rps"])[len(xs) // 2]
    ma, mb = med(a), med(b)
    out = {"app": ma, "bare": mb, "ratio": round(ma["rps"] / mb["rps"], 2),
           "rounds": [round(x["rps"] / y["rps"], 2) for x, y in zip(a, b)]}
    if pgids:
        cpu = sorted(x["per_cpu_second"] / y["per_cpu_second"] for x, y in zip(a, b))
        out["cpu_ratio"] = round(cpu[len(cpu) // 2], 2)
    return out
