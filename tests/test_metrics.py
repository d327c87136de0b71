"""Issue 15, item 5: Prometheus /metrics on the health port of the bot itself (the single process
and webhook front ends; workers are scraped in test_queue.py), read over HTTP after real briefs."""

from __future__ import annotations

import asyncio
import re
import time

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.pipeline import Briefer
from bot.store.channels import Channel
from bot.telegram.services import services
from tests.botharness import PrefixTranslator, bot_settings, running_bot
from tests.conftest import EXAMPLES
from tests.fakebotapi import FakeBotAPI
from tests.servers import free_port

ARTICLE = (EXAMPLES / "desalination.en.txt").read_text()
ARABIC_ARTICLE = (EXAMPLES / "desalination.ar.txt").read_text()
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


class FigureChangingTranslator(PrefixTranslator):
    """A translation model that gets every 1 wrong (a 7; the Arabic article writes ١), so the figure guard
    has figures to repair."""

    def translator_for(self, source: str, target: str) -> FigureChangingTranslator:
        return FigureChangingTranslator(self.gate, source, target)

    def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]:
        return [re.sub("[1١]", "7", text) for text in super().translate(texts, beam_size)]


async def scrape(port: int, timeout: float = 20.0) -> tuple[Samples, str]:
    """/metrics over HTTP (once the bot serves it): its samples as {(name, labels): value}, and its content type."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                    assert response.status == 200
                    body = await response.text()
                    kind = response.headers["Content-Type"]
                    break
            except aiohttp.ClientConnectionError:
                assert time.monotonic() < deadline, "no /metrics on the health port"
                await asyncio.sleep(0.05)
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(body) for sample in family.samples}, kind


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def briefs_shown(api: FakeBotAPI) -> int:
    return sum(1 for c in api.calls if c.method in ("sendMessage", "editMessageText")
               and "Key figures" in c.params.get("text", ""))


async def test_the_bot_counts_briefs_stages_repairs_feed_failures_and_telegram_errors_on_its_health_port(
        api, feeds, tmp_path):
    port = free_port()
    settings = bot_settings(api, tmp_path, feeds.port, health_port=port)
    async with running_bot(settings, Briefer(settings, translators=FigureChangingTranslator())) as application:
        before, kind = await scrape(port)
        assert kind.startswith("text/plain; version=")   # Prometheus' text format

        api.fail_next("sendMessage", 0)             # Telegram's flood limit, once
        api.message(1, ARTICLE)
        await api.wait_for(lambda a: briefs_shown(a) == 1, timeout=30)
        api.message(2, ARTICLE)                     # the same article: from the cache
        await api.wait_for(lambda a: briefs_shown(a) == 2, timeout=30)
        api.message(3, ARABIC_ARTICLE)              # translated, its figures repaired by the guard
        await api.wait_for(lambda a: briefs_shown(a) == 3, timeout=30)
        api.flaky({"sendMessage"}, bad_gateway=1.0)   # a 502 on every send: the refusal below is retried
        api.message(4, "Far too short to brief.")
        await api.wait_for(lambda a: len(a.sent("sendMessage:502")) >= 2, timeout=30)
        api.flaky(set(), bad_gateway=0.0)
        await api.wait_for(lambda a: any("too short" in c.params.get("text", "") for c in a.sent(chat_id=4)),
                           timeout=30)

        shared = services(application)              # a channel whose feed is not a feed
        await shared.channels.save(Channel(-100, "C", owner_id=9, schedule=""))
        await shared.channels.add_feed(-100, feeds.url("/garbage.xml"))
        await shared.digests.refresh(await shared.channels.get(-100))
        after, _ = await scrape(port)

    assert moved(before, after, "briefbot_briefs_total", outcome="briefed", engine="extractive") == 2
    assert moved(before, after, "briefbot_briefs_total", outcome="cached", engine="extractive") == 1
    assert moved(before, after, "briefbot_briefs_total", outcome="refused", engine="extractive") == 1
    for stage in ("compose", "translate", "render"):
        assert moved(before, after, "briefbot_stage_seconds_count", stage=stage) >= 1, stage
    assert moved(before, after, "briefbot_stage_seconds_count", stage="compose") == 2   # made, not cached or refused
    assert moved(before, after, "briefbot_stage_seconds_count", stage="render") == 3    # the three briefs shown
    repaired = [c.params["text"] for c in api.sent(chat_id=3) if "Key figures" in c.params.get("text", "")]
    repairs = repaired[0].count("Figure guard:")   # what the reader is told was repaired …
    assert repairs >= 3 and moved(before, after, "briefbot_guard_repairs_total") == repairs   # … is what is counted
    assert moved(before, after, "briefbot_feed_failures_total") == 1
    assert moved(before, after, "briefbot_telegram_errors_total", status="429", method="sendMessage") == 1
    assert moved(before, after, "briefbot_telegram_errors_total", status="5xx", method="sendMessage") >= 2
    assert ("briefbot_queue_depth", ()) in after    # the single process's queue: requests waiting for a slot


async def test_metrics_are_served_on_the_health_port_and_not_on_the_webhook_that_faces_the_internet(api, tmp_path):
    webhook_port, health_port = free_port(), free_port()
    settings = bot_settings(api, tmp_path, webhook_url=f"http://127.0.0.1:{webhook_port}/hook",
                            webhook_port=webhook_port, health_port=health_port, webhook_secret="s")
    async with running_bot(settings, Briefer(settings)):
        samples, _ = await scrape(health_port)
        assert ("briefbot_queue_depth", ()) in samples
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{webhook_port}/metrics") as response:
                assert response.status == 404
            async with session.get(f"http://127.0.0.1:{webhook_port}/healthz") as response:
                assert response.status == 200
