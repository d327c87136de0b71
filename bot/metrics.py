"""Prometheus metrics (prometheus-client), one set for every process: the single bot, webhook
front ends and `briefbot worker`s serve them at /metrics on their health port.

The definitions live here, apart from Redis and Telegram, so that any layer may count
without importing either: the pipeline is told stage times through its `timings` option,
the digest service counts feed failures, the bot's Bot API requests count Telegram's
429s and 5xx, and workers count their jobs. Each process counts only what it did itself;
Prometheus adds the processes up.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

from bot.core.brief import Brief
from bot.core.guard import guard_repairs

BRIEFS = Counter("briefbot_briefs_total", "Briefs asked for in chats, by outcome (briefed, cached, refused: a "
                 "reason was told, busy: the queue was full, failed) and the configured engine",
                 ["outcome", "engine"])
STAGE_SECONDS = Histogram("briefbot_stage_seconds", "Time of one stage of a brief: fetch (a link), compose "
                          "(extraction, language, sentences, facts, selection), summarize (a model engine), "
                          "translate, render (Telegram HTML)", ["stage"],
                          buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
GUARD_REPAIRS = Counter("briefbot_guard_repairs_total", "Repairs the figure guard made to briefs (each a "
                        "'Figure guard' warning: a figure restored, a number removed, a text shown untranslated)")
FEED_FAILURES = Counter("briefbot_feed_failures_total", "Feed fetches or parses that failed")
TELEGRAM_ERRORS = Counter("briefbot_telegram_errors_total", "Bot API answers that were a 429 (flood limit) or a "
                          "5xx, by status and method", ["status", "method"])

JOBS = Counter("briefbot_brief_jobs_total", "Brief jobs finished by this worker, by outcome", ["outcome"])
JOB_SECONDS = Histogram("briefbot_brief_job_seconds", "Time to finish one brief job",
                        buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120))
JOBS_RUNNING = Gauge("briefbot_brief_jobs_running", "Brief jobs this worker is working on now")
QUEUE_WAIT = Histogram("briefbot_queue_wait_seconds", "From a request's acceptance to a worker taking it",
                       buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300))
QUEUE_DEPTH = Gauge("briefbot_queue_depth", "Briefs waiting for a worker: the stream's jobs no worker has taken "
                    "(scaled out), or the requests waiting for a work slot (single process)")
QUEUE_PENDING = Gauge("briefbot_queue_in_progress", "Brief jobs taken by a worker and not yet acknowledged")

def observe_stage(stage: str, seconds: float) -> None:
    """A stage's time; thread-safe, so the Briefer's worker threads may call it (its `timings`)."""
    STAGE_SECONDS.labels(stage).observe(seconds)


def brief_made(brief: Brief, engine: str) -> None:
    """A brief was made (not taken from the cache): counted, with the figure guard's repairs in it."""
    BRIEFS.labels("briefed", engine).inc()
    GUARD_REPAIRS.inc(guard_repairs(brief.warnings))


def exposition() -> tuple[bytes, str]:
    """The text a Prometheus scrape gets, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
