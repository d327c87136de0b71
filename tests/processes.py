"""briefbot processes for the end-to-end tests and bench/queue_speed.py: webhook front ends
(`briefbot run --webhook`) and workers, each its own Python process on this machine, told
their settings by environment, ready once their health port answers."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.telegram.webhook import SECRET_HEADER
from tests.fakebotapi import FakeBotAPI
from tests.servers import free_port

SECRET = "e2e-secret"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def front_end_args(port: int) -> list[str]:
    """`briefbot run` taking updates on a webhook at 127.0.0.1:`port`/hook."""
    return ["-m", "bot", "run", "--webhook", f"http://127.0.0.1:{port}/hook", "--port", str(port)]


def worker_args(reclaim_after: float | None = None, lease: float | None = None) -> list[str]:
    """`briefbot worker`; given `reclaim_after` and `lease`, it takes a dead worker's job after that
    many seconds, and its lease lapses after `lease`, instead of the 5 minutes and 30 seconds the
    command uses (a test can wait for those)."""
    if reclaim_after is None or lease is None:
        return ["-m", "bot", "worker"]
    return ["-c", "import asyncio, sys\nfrom bot.config import Settings\nfrom bot.telegram.worker import run_worker\n"
                  "asyncio.run(run_worker(Settings.load(), reclaim_after=float(sys.argv[1]), lease=float(sys.argv[2])))",
            str(reclaim_after), str(lease)]


class Process:
    """A briefbot process, its log in `folder`, its /healthz and /metrics on a port of its own."""

    def __init__(self, name: str, arguments: list[str], env: dict[str, str], folder: Path) -> None:
        self.name, self.arguments, self.env, self.folder = name, arguments, env, folder
        self.health_port = free_port()
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> Process:
        env = {**self.env, "BRIEFBOT_HEALTH_PORT": str(self.health_port)}
        with open(self.folder / f"{self.name}.log", "wb") as log:
            self.process = await asyncio.create_subprocess_exec(sys.executable, *self.arguments, env=env,
                                                                stdout=asyncio.subprocess.DEVNULL, stderr=log)
        return self

    async def ready(self, session: aiohttp.ClientSession, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.returncode is None, self.log()
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"http://127.0.0.1:{self.health_port}/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{self.name} did not start: {self.log()}")

    async def metrics(self, session: aiohttp.ClientSession) -> Samples:
        """Its /metrics, as {(sample name, labels): value}."""
        async with session.get(f"http://127.0.0.1:{self.health_port}/metrics") as response:
            assert response.status == 200
            body = await response.text()
        return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
                for family in text_string_to_metric_families(body) for sample in family.samples}

    def log(self) -> str:
        return (self.folder / f"{self.name}.log").read_text(errors="replace")[-3000:]

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def update_for(api: FakeBotAPI, chat_id: int, text: str) -> dict:
    """The update Telegram would post for a user's message (the fake API's own, taken off its getUpdates
    queue: front ends on a webhook do not poll)."""
    api.message(chat_id, text)
    return api.updates.pop()


async def post_update(session: aiohttp.ClientSession, front: Process, update: dict) -> None:
    """What Telegram, through a load balancer, does with an update."""
    url = f"http://127.0.0.1:{front.env['BRIEFBOT_WEBHOOK_PORT']}/hook"
    async with session.post(url, json=update, headers={SECRET_HEADER: SECRET}) as response:
        assert response.status == 200, await response.text()
