"""Issue 14, item 4: extraction and selection in worker processes (`cpu_workers`).

The same briefs and the same errors as in the briefing thread; a killed worker costs no
brief; closing the Briefer stops its workers, and `briefbot run` with workers still stops
cleanly on SIGTERM and leaves no process behind.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import BriefError, InputError, NotAnArticle
from bot.pipeline import Briefer
from tests.conftest import EXAMPLES
from tests.test_telegram_bot import html_briefs

ARTICLE = (EXAMPLES / "desalination.en.txt").read_text(encoding="utf-8")
ARABIC = (EXAMPLES / "desalination.ar.txt").read_text(encoding="utf-8")
TITLE, _, BODY = ARTICLE.partition("\n\n")
PAGE = ("<html><head><title>" + TITLE + "</title><meta property='og:site_name' content='Coast Wire'></head><body>"
        "<nav>Home | World | 2,000 subscribers</nav><article><h1>" + TITLE + "</h1>"
        + "".join(f"<p>{p}</p>" for p in BODY.split("\n\n")) + "</article><footer>© 1999</footer></body></html>")


def _parents() -> dict[int, int]:
    """The parent of every living process."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    return parents


def descendants(pid: int) -> set[int]:
    """Every living process below `pid` (the forkserver and the workers it forked)."""
    parents = _parents()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def workers_of(pid: int) -> set[int]:
    """The pool's workers: the children of `pid`'s children (the forkserver forks them)."""
    parents = _parents()
    servers = {child for child, parent in parents.items() if parent == pid}
    return {child for child, parent in parents.items() if parent in servers}


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def plain(brief) -> dict:
    data = brief.to_dict()
    data["engine"].pop("seconds", None)
    return data


@pytest.fixture(scope="module")
def pooled():
    briefer = Briefer(Settings(cpu_workers=2))
    yield briefer
    briefer.cpu.close()


def test_workers_give_the_same_briefs_as_the_briefing_thread(pooled, briefer):
    assert plain(pooled.brief_text(ARTICLE)) == plain(briefer.brief_text(ARTICLE))
    assert plain(pooled.brief_text(ARABIC, keep=frozenset({"ar"}))) == plain(briefer.brief_text(ARABIC, keep=frozenset({"ar"})))
    from_page = pooled.brief_html(PAGE, url="https://coastwire.example/desalination")
    assert plain(from_page) == plain(briefer.brief_html(PAGE, url="https://coastwire.example/desalination"))
    assert from_page.source.site == "Coast Wire" and "2,000" not in str(from_page.to_dict())


@pytest.mark.parametrize(("given", "error"), [("Too short.", InputError), ("<html><body><p>Subscribe.</p></body></html>",
                                                                           NotAnArticle)])
def test_workers_give_the_same_errors(pooled, briefer, given, error):
    html = given.startswith("<html>")
    with pytest.raises(error) as in_worker:
        pooled.brief_html(given) if html else pooled.brief_text(given)
    with pytest.raises(error) as in_thread:
        briefer.brief_html(given) if html else briefer.brief_text(given)
    assert in_worker.value.user_message() == in_thread.value.user_message()


def test_a_killed_worker_costs_no_brief_and_is_replaced(pooled):
    expected = plain(pooled.brief_text(ARTICLE))
    killed = workers_of(os.getpid())
    assert len(killed) >= 2
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    assert plain(pooled.brief_text(ARTICLE)) == expected  # made in this thread while the pool is replaced
    assert plain(pooled.brief_text(ARTICLE)) == expected
    assert workers_of(os.getpid()) - killed  # new workers


def test_closing_the_briefer_stops_its_workers():
    others = workers_of(os.getpid())
    briefer = Briefer(Settings(cpu_workers=1))
    briefer.brief_text(ARTICLE)
    workers = workers_of(os.getpid()) - others
    assert workers
    asyncio.run(briefer.aclose())
    assert not [pid for pid in workers if alive(pid)]  # close waits for them
    assert briefer.brief_text(ARTICLE).points  # after closing, briefs are made in the thread


def test_cpu_workers_may_be_zero_but_not_negative():
    assert Settings.load({"BRIEFBOT_CPU_WORKERS": "0"}, file=None).cpu_workers == 0
    assert Settings.load({"BRIEFBOT_CPU_WORKERS": "2"}, file=None).cpu_workers == 2
    with pytest.raises(BriefError, match=r"'cpu_workers' must be a positive whole number \(or 0 for none, in the"):
        Settings.load({"BRIEFBOT_CPU_WORKERS": "-1"}, file=None)


async def test_briefbot_run_with_cpu_workers_stops_on_sigterm_and_leaves_no_process(api, tmp_path):
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "4242:TEST-TOKEN", "BRIEFBOT_TELEGRAM_BASE_URL": api.base_url,
           "BRIEFBOT_DATA_DIR": str(tmp_path), "BRIEFBOT_CONFIG": "", "BRIEFBOT_CPU_WORKERS": "2"}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await api.wait_for(lambda a: a.sent("deleteWebhook"), timeout=30)
        api.message(32, ARTICLE)
        await api.wait_for(lambda a: html_briefs(a, 32), timeout=30)
        below = descendants(process.pid)
        assert len(below) >= 3  # the forkserver and two workers
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
        stopped = time.monotonic() - started
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert stopped < 10
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in below) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert not [pid for pid in below if alive(pid)]
