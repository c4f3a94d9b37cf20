"""Throughput of a cached public page against a static file of the same size, both from gunicorn.

    .venv/bin/python bench/public_pages.py
    .venv/bin/python bench/public_pages.py --clients 32 --seconds 10 --workers 2 --threads 8
    .venv/bin/python bench/public_pages.py --redis redis://127.0.0.1:6379/15

In one run: migrates a new SQLite database in a temporary directory and loads the demo into it,
collects static files, starts gunicorn (gthread workers, so connections are kept alive) with
production settings (DEBUG off, WhiteNoise serving /static/), fetches the site page once to learn
its size, writes a static file of exactly those bytes into STATIC_ROOT, restarts gunicorn so that
WhiteNoise sees it, then drives both addresses in turns with N parallel keep-alive clients and
prints requests per second of each and their ratio. The goal is a ratio of at least 0.6: a page
served from the page cache (events/public_cache.py) close to the speed of a static file.

The clients are one asyncio process on the same machine, so absolute figures depend on it; the
ratio is what the goal is about. Without --redis each gunicorn worker has its own local-memory
cache (warmed by the first request it serves); with --redis they share one, as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
PYTHON = str(BASE / ".venv" / "bin" / "python")
GUNICORN = str(BASE / ".venv" / "bin" / "gunicorn")
STATIC_ROOT = BASE / "staticfiles"
BENCH_STATIC = STATIC_ROOT / "bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args: list[str], env: dict) -> None:
    subprocess.run(args, cwd=BASE, env=env, check=True, stdout=subprocess.DEVNULL)


def start_gunicorn(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            GUNICORN,
            "bazaarche.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--keep-alive",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=BASE,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/app.css", timeout=2):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start within 30 s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


async def client(port: int, path: str, size: int, stop_at: float, counts: list[int]) -> None:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: bench\r\n\r\n".encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    done = reconnects = 0
    while time.monotonic() < stop_at:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = head[9:12]
        if status != b"200":
            raise SystemExit(f"{path} answered {head.decode(errors='replace').splitlines()[0]}")
        length = None
        close = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        if length is None:
            raise SystemExit(f"{path} answered without Content-Length: keep-alive is impossible")
        body = await reader.readexactly(length)
        if len(body) != size:
            raise SystemExit(f"{path} answered {len(body)} bytes, expected {size}")
        done += 1
        if close:
            writer.close()
            reconnects += 1
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()
    counts.append(done)
    counts.append(-reconnects)


async def load(port: int, path: str, size: int, clients: int, seconds: float) -> tuple[float, int]:
    """Requests per second over `seconds` with `clients` keep-alive connections, and reconnects."""
    counts: list[int] = []
    start = time.monotonic()
    await asyncio.gather(*(client(port, path, size, start + seconds, counts) for _ in range(clients)))
    elapsed = time.monotonic() - start
    total = sum(c for c in counts if c > 0)
    reconnects = -sum(c for c in counts if c < 0)
    return total / elapsed, reconnects


def fetch(port: int, path: str) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return response.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="parallel keep-alive connections")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each measured run")
    parser.add_argument("--rounds", type=int, default=3, help="page and static runs, in turns")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--path", default="/sites/khorramabad-fairground/", help="the public page to measure")
    parser.add_argument("--redis", default="", help="REDIS_URL for a shared cache (default: local memory)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bazaarche-bench-"))
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-only-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(tmp / "media"),
        SMS_BACKEND="vendors.sms.MemoryBackend",
        REDIS_URL=args.redis,
        PYTHONUNBUFFERED="1",
    )
    server = None
    try:
        print(f"database: {tmp / 'db.sqlite3'} (migrate, load_demo), collectstatic into {STATIC_ROOT}")
        run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env)
        run([PYTHON, "manage.py", "load_demo"], env)
        run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v", "0"], env)
        shutil.rmtree(BENCH_STATIC, ignore_errors=True)

        port = free_port()
        server = start_gunicorn(env, port, args.workers, args.threads)
        page = fetch(port, args.path)
        stop(server)
        # The same bytes as a static file: WhiteNoise indexes STATIC_ROOT when it starts.
        BENCH_STATIC.mkdir(parents=True, exist_ok=True)
        static_path = "/static/bench/same-size.html"
        (BENCH_STATIC / "same-size.html").write_bytes(page)
        server = start_gunicorn(env, port, args.workers, args.threads)
        if fetch(port, static_path) != page:
            raise SystemExit("the static copy differs from the page")

        size = len(page)
        print(
            f"gunicorn: {args.workers} workers × {args.threads} threads (gthread, keep-alive); "
            f"{args.clients} clients; cache: {'Redis ' + args.redis if args.redis else 'local memory per worker'}"
        )
        print(f"page   {args.path}: {size:,} bytes")
        print(f"static {static_path}: {size:,} bytes (the page's own bytes)")
        # Warm every worker's cache and the connections.
        asyncio.run(load(port, args.path, size, args.clients, 2))
        asyncio.run(load(port, static_path, size, args.clients, 2))
        page_rates, static_rates = [], []
        for n in range(args.rounds):
            rate, reconnects = asyncio.run(load(port, args.path, size, args.clients, args.seconds))
            page_rates.append(rate)
            print(f"round {n + 1}: page   {rate:8.0f} req/s  (reconnects: {reconnects})")
            rate, reconnects = asyncio.run(load(port, static_path, size, args.clients, args.seconds))
            static_rates.append(rate)
            print(f"round {n + 1}: static {rate:8.0f} req/s  (reconnects: {reconnects})")
        page_rate, static_rate = statistics.median(page_rates), statistics.median(static_rates)
        ratio = page_rate / static_rate
        print(
            f"median: page {page_rate:.0f} req/s, static {static_rate:.0f} req/s, ratio {ratio:.2f} (goal ≥ 0.60)"
        )
        sys.exit(0 if ratio >= 0.6 else 1)
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(BENCH_STATIC, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
