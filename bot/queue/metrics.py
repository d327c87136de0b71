"""Prometheus metrics of a worker, served at /metrics on its health port (prometheus-client)."""

from __future__ import annotations

import asyncio

from prometheus_client import Counter, Gauge, Histogram, start_http_server
from redis.asyncio import Redis

JOBS = Counter("briefbot_brief_jobs_total", "Brief jobs finished by this worker, by outcome", ["outcome"])
JOB_SECONDS = Histogram("briefbot_brief_job_seconds", "Time to finish one brief job",
                        buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120))
QUEUE_WAIT = Histogram("briefbot_queue_wait_seconds", "From a request's acceptance to a worker taking it",
                       buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300))
QUEUE_DEPTH = Gauge("briefbot_queue_depth", "Brief jobs not yet taken by any worker (the group's lag)")
QUEUE_PENDING = Gauge("briefbot_queue_in_progress", "Brief jobs taken and not yet acknowledged")


def serve_metrics(port: int) -> None:
    """/metrics on `port`, from a thread of prometheus-client's own."""
    start_http_server(port)


async def watch_queue(queue_url: str, stream: str, group: str, every: float = 5.0) -> None:
    """Keeps the queue gauges current until cancelled."""
    redis = Redis.from_url(queue_url)
    try:
        while True:
            for info in await redis.xinfo_groups(stream):
                if info["name"].decode() == group:
                    QUEUE_DEPTH.set(info.get("lag") or 0)
                    QUEUE_PENDING.set(info["pending"])
            await asyncio.sleep(every)
    finally:
        await redis.aclose()
