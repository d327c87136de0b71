"""Real PostgreSQL 15 and Redis servers on 127.0.0.1, in a temporary folder, for the tests.

Each starts once per test session (see the fixtures in conftest.py) and is stopped after. A
machine without the binaries skips the tests that need them, saying which binary is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
USER = "briefbot"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_missing() -> str | None:
    for name in ("initdb", "pg_ctl"):
        if not (POSTGRES_BIN / name).exists() and shutil.which(name) is None:
            return f"PostgreSQL's {name} is not installed (apt-get install postgresql-15)"
    return None


def redis_missing() -> str | None:
    return None if shutil.which("redis-server") else "redis-server is not installed (apt-get install redis-server)"


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: root runs it as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _binary(name: str) -> str:
    path = POSTGRES_BIN / name
    return str(path) if path.exists() else name


class PostgresServer:
    """initdb + pg_ctl in a temporary folder; `database()` makes an empty database for one test."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="briefbot-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self._databases = 0

    def __enter__(self) -> PostgresServer:
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            shutil.chown(self.data, "postgres")
        subprocess.run(_as_server_user([_binary("initdb"), "-D", str(self.data), "--username", USER,
                                        "--auth", "trust", "--encoding", "UTF8", "--no-sync"]),
                       check=True, capture_output=True)
        # fsync off: a test database need not survive a power cut, and it halves the run time
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        subprocess.run(_as_server_user([_binary("pg_ctl"), "-D", str(self.data), "-o", options, "-w",
                                        "-l", str(self.data / "log"), "start"]), check=True, capture_output=True)
        return self

    def __exit__(self, *_exc: object) -> None:
        subprocess.run(_as_server_user([_binary("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://{USER}@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """A new empty database; its URL."""
        self._databases += 1
        name = f"test_{self._databases}"
        subprocess.run(_as_server_user([_binary("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", USER,
                                        name]), check=True, capture_output=True)
        return self.url(name)


class RedisServer:
    """redis-server on a free port, nothing saved to disk; `url(n)` names database n."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="briefbot-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> RedisServer:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--databases", "64"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                    connection.sendall(b"PING\r\n")
                    if connection.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"
