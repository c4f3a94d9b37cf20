"""The machinery of bench/faults.py that knows nothing of Django: fault proxies, `make serve`, the load.

- Proxies: PostgreSQL and Redis are shared with other people, so a fault is never a stopped server.
  `python bench/faultlib.py proxy NAME=PORT:TARGET_PORT …` runs TCP proxies in a process of their
  own (so the bench's client threads do not slow the traffic down) and obeys lines on its standard
  input: `cut NAME` closes every connection and the listening socket (new connections are refused,
  as by a stopped server), `cut NAME PGID WORD` closes and refuses only the connections made by
  processes of that process group whose command line holds WORD (the task worker, so that it alone
  loses Redis), `restore NAME` opens again. It answers each line with `ok`.
- Serve: `make serve` in a process group of its own, its processes read from /proc.
- Load: vendors applying and visitors reading public pages over kept-alive connections, every request
  recorded with when it ran and how it ended (ok, or the kind of error).
"""

from __future__ import annotations

import collections
import contextlib
import http.client
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BASE = Path(__file__).resolve().parent.parent
REQUEST_TIMEOUT = 10  # seconds; longer counts as a timeout (gunicorn's own limit is 60 s)
PAUSE = 0.5  # seconds a person waits after an error before trying again


# --- proxies (run in their own process) ---


def _socket_inode(client_port: int, server_port: int) -> str | None:
    """The inode of the client end of 127.0.0.1:client_port → 127.0.0.1:server_port."""
    local, remote = f"0100007F:{client_port:04X}", f"0100007F:{server_port:04X}"
    with open("/proc/net/tcp") as table:
        for line in table:
            fields = line.split()
            if len(fields) > 9 and fields[1] == local and fields[2] == remote:
                return fields[9]
    return None


def group_processes(pgid: int) -> list[tuple[int, int, list[str]]]:
    """(pid, parent pid, arguments) of every process in the process group."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().decode().split("\0")[:-1]
        except OSError:
            continue
        after = stat[stat.rindex(")") + 2 :].split()  # state, ppid, pgrp, …
        if int(after[2]) == pgid and after[0] != "Z":
            found.append((int(entry), int(after[1]), argv))
    return found


def _owner(client_port: int, server_port: int, pgid: int) -> str:
    """The command line of the process of the group that holds this client socket ("" if none)."""
    inode = _socket_inode(client_port, server_port)
    if inode is None:
        return ""
    wanted = f"socket:[{inode}]"
    for pid, _ppid, argv in group_processes(pgid):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == wanted:
                        return " ".join(argv)
    return ""


class Proxy:
    """127.0.0.1:port → 127.0.0.1:target, one thread per direction of each connection."""

    def __init__(self, port: int, target: int):
        self.port, self.target = port, target
        self.lock = threading.Lock()
        self.connections: dict[socket.socket, tuple[socket.socket, int]] = {}  # client → (upstream, port)
        self.refuse_all = False
        self.refuse_owner: tuple[int, str] | None = None  # (pgid, word)
        self.refused = 0  # connections refused to that owner since the cut
        self.listening = threading.Event()
        self.closed = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()
        self.listening.wait(10)

    def _serve(self) -> None:
        listener = None
        while True:
            if self.refuse_all:
                if listener is not None:
                    listener.close()
                    listener = None
                    self.listening.clear()
                    self.closed.set()
                time.sleep(0.02)
                continue
            if listener is None:
                listener = socket.create_server(("127.0.0.1", self.port), backlog=256)
                self.closed.clear()
                self.listening.set()
            if not select.select([listener], [], [], 0.05)[0]:
                continue
            client, (_host, client_port) = listener.accept()
            owner = self.refuse_owner
            if owner and owner[1] in _owner(client_port, self.port, owner[0]):
                client.close()
                self.refused += 1
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.connections[client] = (upstream, client_port)
            threading.Thread(target=self._pump, args=(client, upstream, client), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, client: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        self._drop(client)

    def _drop(self, client: socket.socket) -> None:
        with self.lock:
            upstream, _port = self.connections.pop(client, (None, 0))
        if upstream is None:
            return
        for sock in (client, upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def cut(self, pgid: int | None = None, word: str = "") -> int:
        """Close connections and refuse new ones: all of them, or those of one kind of process."""
        if pgid is None:
            self.refuse_all = True
            self.closed.wait(10)
            chosen = list(self.connections)
        else:
            self.refused = 0
            self.refuse_owner = (pgid, word)
            chosen = [
                c for c, (_u, port) in list(self.connections.items()) if word in _owner(port, self.port, pgid)
            ]
        for client in chosen:
            self._drop(client)
        return len(chosen)

    def restore(self) -> int:
        """Open again; returns how many connections of the chosen owner were refused meanwhile."""
        self.refuse_owner = None
        self.refuse_all = False
        self.listening.wait(10)
        return self.refused


def run_proxies(specs: list[str]) -> None:
    """The proxy process: NAME=PORT:TARGET each, then commands from standard input."""
    proxies = {}
    for spec in specs:
        name, ports = spec.split("=")
        port, target = ports.split(":")
        proxies[name] = Proxy(int(port), int(target))
    print("ok", flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "cut":
            owner = (int(words[2]), words[3]) if len(words) > 3 else (None, "")
            closed = proxies[words[1]].cut(*owner)
            print(f"ok {closed}", flush=True)
        elif words[0] == "restore":
            refused = proxies[words[1]].restore()
            print(f"ok {refused}", flush=True)


class Proxies:
    """The bench's handle on the proxy process."""

    def __init__(self, **ports: tuple[int, int]):
        specs = [f"{name}={port}:{target}" for name, (port, target) in ports.items()]
        self.process = subprocess.Popen(
            [sys.executable, __file__, "proxy", *specs],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._answer()

    def _answer(self) -> str:
        line = self.process.stdout.readline()
        if not line.startswith("ok"):
            raise RuntimeError(f"the proxy process answered {line!r}")
        return line

    def _say(self, line: str) -> str:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self._answer()

    def cut(self, name: str, pgid: int | None = None, word: str = "") -> int:
        """Cut a proxy (or only the connections of the group's processes whose command line holds word);
        returns how many open connections were closed."""
        return int(self._say(f"cut {name} {pgid} {word}" if pgid else f"cut {name}").split()[1])

    def restore(self, name: str) -> int:
        """Open a proxy again; returns how many connections a `cut` of one owner refused."""
        return int(self._say(f"restore {name}").split()[1])

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(10)


# --- make serve ---


class Serve:
    """`make serve` in its own process group, with its output in a log file."""

    def __init__(self, env: dict[str, str], port: int, log: Path):
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> float:
        """Start and wait until the home page answers; returns the seconds it took."""
        began = time.monotonic()
        with open(self.log, "ab") as out:
            # install and messages taken as done: the venv is there, and compiling the shared
            # catalogues at every start would race the others' catalogue edits.
            self.process = subprocess.Popen(
                ["make", "-o", "install", "-o", "messages", "serve", f"PORT={self.port}"],
                cwd=BASE,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        while time.monotonic() - began < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"make serve exited with {self.process.returncode}; see {self.log}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/")
                if connection.getresponse().status == 200:
                    connection.close()
                    return time.monotonic() - began
            time.sleep(0.5)
        raise RuntimeError(f"make serve did not answer within {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        # What the make process left behind in its group (a worker that ignored SIGTERM).
        for pid, _ppid, _cmd in group_processes(self.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process = None

    @property
    def pgid(self) -> int:
        return self.process.pid

    def workers(self) -> list[int]:
        """The task worker processes running now: those that run no worker of their own (a supervisor
        that restarts its child is not the one running tasks)."""
        found = [(pid, ppid) for pid, ppid, argv in group_processes(self.pgid) if is_worker(argv)]
        parents = {ppid for _pid, ppid in found}
        return [pid for pid, _ppid in found if pid not in parents]


def is_worker(argv: list[str]) -> bool:
    """A Python process running `manage.py db_worker` (or another *_worker command); not the shell of
    `make serve`'s recipe, whose command line names it too, nor gunicorn's --workers."""
    return (
        bool(argv)
        and "python" in Path(argv[0]).name
        and "manage.py" in " ".join(argv[1:3])
        and any(a.endswith("_worker") for a in argv[1:4])
    )


# --- load ---


@dataclass
class Record:
    kind: str  # "apply" (GET then POST of the form) or "page"
    began: float
    ended: float
    outcome: str  # "ok" or the kind of error
    requests: int = 1


@dataclass
class Load:
    """Vendors applying (each attempt a fresh vendor/site pair) and visitors reading public pages."""

    port: int
    pairs: Iterator[tuple[str, str]]  # (session key, site slug), each never used before
    pages: list[str]
    session_cookie: str = "sessionid"
    records: list[Record] = field(default_factory=list)
    applied: list[tuple[str, str, str]] = field(default_factory=list)  # (session, slug, Location)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self):
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def start(self, appliers: int, visitors: int) -> None:
        self.threads = [threading.Thread(target=self._applier) for _ in range(appliers)]
        self.threads += [threading.Thread(target=self._visitor, args=(i,)) for i in range(visitors)]
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _next_pair(self):
        with self.lock:
            return next(self.pairs, None)

    def _applier(self) -> None:
        """Like a vendor: after an error (a server error, no answer, signed out) the same form is sent
        again a moment later; after a success or a refusal, the next pair."""
        client = Client(self.port)
        pair = None
        while not self.stop.is_set():
            pair = pair or self._next_pair()
            if pair is None:
                return
            session, slug = pair
            began = time.monotonic()
            outcome, requests, location = self._apply(client, session, slug)
            self.records.append(Record("apply", began, time.monotonic(), outcome, requests))
            if outcome == "ok":
                self.applied.append((session, slug, location))
                pair = None
                continue
            client.close()  # a browser that met an error starts afresh
            if not transient(outcome):
                pair = None
            time.sleep(PAUSE)

    def _apply(self, client: Client, session: str, slug: str) -> tuple[str, int, str]:
        cookie = f"{self.session_cookie}={session}"
        path = f"/sites/{slug}/apply/"
        answer = client.request("GET", path, {"Cookie": cookie})
        if answer.error:
            return answer.error, 1, ""
        if answer.status != 200:
            return answer.kind(), 1, ""
        csrf = re.search(r"csrftoken=([^;]+)", answer.headers.get("Set-Cookie", ""))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.body)
        day = re.search(r'name="days" value="([^"]+)"', answer.body)
        if not (csrf and token and day):
            return "no form", 1, ""
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "days": day.group(1),
            "helpers": "۰",
            "products": "گلیم",
        }
        headers = {
            "Cookie": f"{cookie}; csrftoken={csrf.group(1)}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        answer = client.request("POST", path, headers, urlencode(form))
        if answer.error:
            return answer.error, 2, ""
        location = answer.headers.get("Location", "")
        if answer.status == 302 and "/me/applications/" in location:
            return "ok", 2, location
        return answer.kind(), 2, ""

    def _visitor(self, number: int) -> None:
        client = Client(self.port, gzip=True)
        for path in _cycle(self.pages, number):
            if self.stop.is_set():
                return
            began = time.monotonic()
            answer = client.request("GET", path, {})
            outcome = answer.error or ("ok" if answer.status == 200 else answer.kind())
            self.records.append(Record("page", began, time.monotonic(), outcome))
            if outcome != "ok":
                client.close()
                time.sleep(PAUSE)


def transient(outcome: str) -> bool:
    """An error that trying again later may get past (not a refusal of the form)."""
    return outcome in ("conn", "timeout", "signed out") or outcome.startswith("5")


def _cycle(items: list[str], start: int):
    while True:
        for i in range(len(items)):
            yield items[(start + i) % len(items)]


@dataclass
class Answer:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    error: str = ""  # "conn" or "timeout" when no answer came

    def kind(self) -> str:
        """The kind of an unwanted answer."""
        if self.status in (301, 302) and "/signin/" in self.headers.get("Location", ""):
            return "signed out"
        if self.status == 503:
            return "503+Retry-After" if "Retry-After" in self.headers else "503"
        return str(self.status)


class Client:
    """One browser's kept-alive connection; like a browser, it sends again once on a new connection
    when the server had closed the idle one before the request reached it."""

    def __init__(self, port: int, gzip: bool = False):
        self.port, self.gzip = port, gzip
        self.connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method: str, path: str, headers: dict[str, str], body: str | None = None) -> Answer:
        headers = {"Accept-Language": "fa", **headers}
        if self.gzip:
            headers["Accept-Encoding"] = "gzip"
        for attempt in (0, 1):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
            except TimeoutError:
                self.close()
                return Answer(error="timeout")
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if reused and attempt == 0:
                    continue
                return Answer(error="conn")
            except (OSError, http.client.HTTPException):
                self.close()
                return Answer(error="conn")
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            text = "" if self.gzip else data.decode("utf-8", "replace")
            return Answer(response.status, {k: v for k, v in response.getheaders()}, text)
        return Answer(error="conn")


# --- figures ---


def recovered_after(records: list[Record], end: float) -> float | None:
    """Seconds from the fault's end to the first whole success of both an apply and a page begun after it."""
    firsts = []
    for kind in ("apply", "page"):
        done = [r.ended for r in records if r.kind == kind and r.outcome == "ok" and r.began >= end]
        if not done:
            return None
        firsts.append(min(done))
    return max(firsts) - end


def errors_by_kind(records: list[Record]) -> collections.Counter:
    return collections.Counter(r.outcome for r in records if r.outcome != "ok")


def served_between(records: list[Record], kind: str, start: float, end: float) -> tuple[int, int]:
    """(successes, attempts) of this kind begun in [start, end)."""
    chosen = [r for r in records if r.kind == kind and start <= r.began < end]
    return sum(r.outcome == "ok" for r in chosen), len(chosen)


if __name__ == "__main__" and sys.argv[1:2] == ["proxy"]:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the bench stops it by closing its input
    run_proxies(sys.argv[2:])
