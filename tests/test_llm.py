"""The llm engine against a fake OpenAI-compatible server on 127.0.0.1 (tests/fakellm.py):
through the Briefer, the CLI in a subprocess, and the bot."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.brief import Brief
from bot.engines.llm_check import Unusable, parse_answer
from bot.engines.llm_server import _retry_after, public_address, server_status
from bot.language import LanguageIdentifier
from bot.pipeline import Briefer
from tests.conftest import EXAMPLES
from tests.fakellm import MODEL, FakeLLM, Step, answer, closed_port_url, fenced

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = (EXAMPLES / "desalination.en.txt").read_text()
ARABIC = (EXAMPLES / "desalination.ar.txt").read_text()

HEADLINE = "Nova Marina opens its first large desalination plant"
OPENED = ("Nova Marina opened its first large desalination plant on March 13, 2025, after more than "
          "40,000 households had water for only a few hours a day.")
CAPACITY = ("According to the Regional Water Authority, the plant can produce 120,000 cubic metres of drinking "
            "water a day, enough for about half a million residents.")
COST = "The project cost $310 million, 35% of it from a loan by the Coastal Development Fund."
TRUCKS = "Mayor Lina Haddad said tanker trucks had delivered water to 18 districts since June 2023."
FAITHFUL = answer(HEADLINE, [OPENED, CAPACITY, COST, TRUCKS],
                  figures={"F2": "the plant can produce 120,000 cubic metres of drinking water a day"},
                  sources={"S1": "Regional Water Authority", "S2": "Mayor Lina Haddad"})


LANGUAGES = LanguageIdentifier()


@pytest.fixture(scope="module")
def fake():
    with FakeLLM() as running:
        yield running


@pytest.fixture
def llm(fake, tmp_path):
    """A Briefer whose llm engine is the fake server; closed after the test."""
    made: list[Briefer] = []

    def make(**values) -> Briefer:
        settings = Settings(data_dir=tmp_path, engine="llm").with_values(
            {"llm_base_url": fake.base_url, "llm_model": MODEL, "llm_timeout": 10, **values})
        made.append(Briefer(settings))
        made[-1].languages = LANGUAGES  # built once for the module: it takes a second each time
        return made[-1]

    yield make
    for briefer in made:
        asyncio.run(briefer.aclose())


# The guard names the figure as the article writes it ("120,000", or "120,000 cubic metres" where
# the extractor reads the unit too): a warning ending in "…" is matched up to there.
RESTORED = "Figure guard: changed figures were restored from the source: {}…"


def warnings_match(actual: list[str], expected: list[str]) -> bool:
    return len(actual) == len(expected) and all(
        a.startswith(e[:-1]) if e.endswith("…") else a == e for a, e in zip(actual, expected, strict=True))


def brief(briefer: Briefer, text: str = ENGLISH, **options) -> Brief:
    return briefer.brief_text(text, **options)


# ---- the happy paths -----------------------------------------------------------------

def test_a_faithful_answer_becomes_the_brief(fake, llm):
    fake.reset(FAITHFUL)
    result = brief(llm())
    assert result.headline == HEADLINE
    assert result.points == [OPENED, CAPACITY, COST, TRUCKS]
    assert result.warnings == []
    assert result.engine["summarizer"] == f"llm:{MODEL}"
    record = result.engine["llm"]
    assert record["model"] == MODEL and record["server"] == fake.base_url
    assert record["prompt_tokens"] == 900 and record["completion_tokens"] == 120 and record["seconds"] >= 0
    assert [f.normalized for f in result.figures][:2] == ["40000", "120000"]  # briefbot's own, unchanged


def test_the_prompt_carries_the_article_the_language_and_the_facts(fake, llm):
    fake.reset(FAITHFUL)
    brief(llm(), points=3)
    request = fake.requests[0]
    assert request["model"] == MODEL and request["temperature"] == 0
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["schema"]["properties"]["points"]["maxItems"] == 3
    system, user = (m["content"] for m in request["messages"])
    assert "in English" in system and "at most 3 points" in system
    assert "\nF2: 120,000" in user and "120,000 cubic metres" in user.split("\nF3")[0]
    assert "(according to Regional Water Authority)" in user.split("\nF3")[0]  # who the article credits
    assert "S1: Regional Water Authority (cited)" in user
    assert "Engineers from the Harbour Institute of Technology warned" in user


def test_an_arabic_article_is_briefed_in_english_in_one_pass(fake, llm):
    fake.reset(FAITHFUL)
    result = brief(llm(), ARABIC)
    assert result.language == "en" and result.source.language == "ar"
    assert result.points == [OPENED, CAPACITY, COST, TRUCKS] and result.warnings == []
    assert result.original is not None and result.original.language == "ar"
    capacity = next(f for f in result.figures if f.normalized == "120000")
    assert capacity.context == "the plant can produce 120,000 cubic metres of drinking water a day"
    assert result.sources[0].name == "هيئة المياه الإقليمية"  # the article's sources, not the model's
    assert "Arabic" in fake.requests[0]["messages"][0]["content"]
    assert "١٢٠٬٠٠٠" in fake.requests[0]["messages"][1]["content"]


def test_json_in_a_code_fence_is_read(fake, llm):
    fake.reset(fenced(FAITHFUL))
    result = brief(llm())
    assert result.points == [OPENED, CAPACITY, COST, TRUCKS] and result.warnings == []


def test_a_server_without_json_schema_is_asked_for_json_object(fake, llm):
    fake.reset(FAITHFUL, FAITHFUL)
    fake.reject_json_schema = True
    briefer = llm()
    first, second = brief(briefer), brief(briefer)
    assert first.points == second.points == [OPENED, CAPACITY, COST, TRUCKS]
    formats = [r.get("response_format", {}).get("type") for r in fake.requests]
    assert formats == ["json_schema", "json_object", "json_object"]  # asked once, remembered after
    assert second.engine["llm"]["response_format"] == "json_object"


# ---- the checks ------------------------------------------------------------------------

def test_a_changed_figure_is_written_back_with_a_warning(fake, llm):
    fake.reset(answer(HEADLINE, [OPENED, CAPACITY.replace("120,000", "150,000"), COST, TRUCKS]))
    result = brief(llm())
    assert result.points[1] == CAPACITY
    assert warnings_match(result.warnings, [RESTORED.format("120,000")])


def test_a_changed_figure_is_written_back_across_languages(fake, llm):
    fake.reset(answer(HEADLINE, [OPENED, CAPACITY.replace("120,000", "150,000"), COST, TRUCKS],
                      sources={"S1": "Regional Water Authority", "S2": "Mayor Lina Haddad"}))
    result = brief(llm(), ARABIC)
    assert "120,000 cubic metres" in result.points[1] and "150,000" not in " ".join(result.points)
    assert len(result.warnings) == 1 and "150,000" in result.warnings[0]


def test_an_invented_number_drops_its_sentence_with_a_warning(fake, llm):
    invented = "The plant created 300 permanent jobs."
    fake.reset(answer(HEADLINE, [OPENED, CAPACITY, invented, TRUCKS]))
    result = brief(llm())
    assert result.points == [OPENED, CAPACITY, TRUCKS]
    assert result.warnings == ["Figure guard: a sentence the model wrote held 300, which the article does not give, "
                               "and was left out."]


def test_an_invented_source_drops_its_sentence_with_a_warning(fake, llm):
    invented = "Reuters reported that the plant is the largest on the coast."
    fake.reset(answer(HEADLINE, [OPENED, CAPACITY, invented, TRUCKS]))
    result = brief(llm())
    assert result.points == [OPENED, CAPACITY, TRUCKS]
    assert result.warnings == ["Source check: a sentence the model wrote credited “Reuters”, whom the article does "
                               "not name, and was left out."]


def test_across_languages_a_source_must_be_one_the_prompt_gave(fake, llm):
    invented = "Reuters reported that the plant is the largest on the coast."
    fake.reset(answer(HEADLINE, [OPENED, CAPACITY, invented, TRUCKS],
                      sources={"S1": "Regional Water Authority", "S2": "Mayor Lina Haddad", "S9": "Reuters"}))
    result = brief(llm(), ARABIC)
    assert result.points == [OPENED, CAPACITY, TRUCKS]
    assert len(result.warnings) == 1 and "Reuters" in result.warnings[0]


def test_a_figure_label_that_changes_its_number_is_not_used(fake, llm):
    fake.reset(answer(HEADLINE, [OPENED, CAPACITY, COST, TRUCKS],
                      figures={"F2": "the plant can produce 150,000 cubic metres a day"},
                      sources={"S1": "Regional Water Authority", "S2": "Mayor Lina Haddad"}))
    result = brief(llm(), ARABIC)
    capacity = next(f for f in result.figures if f.normalized == "120000")
    assert "١٢٠٬٠٠٠" in capacity.context
    assert result.warnings == ["Figure guard: 1 key figure label(s) the model translated changed their number and "
                               "are shown as the article has them."]


def test_when_most_points_fail_the_brief_is_extractive(fake, llm):
    fake.reset(answer(HEADLINE, ["It employs 900 people.", "It cost $2 billion.", "Reuters said it was late.",
                                 CAPACITY]))
    result = brief(llm())
    assert result.engine["summarizer"] == "extractive"
    assert result.warnings == ["The LLM server wrote no brief: only 1 of the 4 points it wrote passed the figure "
                               "and source checks. This brief is extractive."]


def test_a_headline_with_an_invented_number_means_the_extractive_brief(fake, llm):
    fake.reset(answer("Desalination plant to serve 2 million people", [OPENED, CAPACITY, COST, TRUCKS]))
    result = brief(llm())
    assert result.headline == "Coastal city opens desalination plant after two dry summers"
    assert len(result.warnings) == 1 and "headline" in result.warnings[0] and "2 million" in result.warnings[0]


# ---- faults: the extractive brief and one warning ----------------------------------------

EXTRACTIVE_HEADLINE = "Coastal city opens desalination plant after two dry summers"


def assert_extractive(result: Brief, cause: str) -> None:
    assert result.headline == EXTRACTIVE_HEADLINE and result.engine["summarizer"] == "extractive"
    assert len(result.warnings) == 1, result.warnings
    assert result.warnings[0].startswith("The LLM server wrote no brief: ") and cause in result.warnings[0]
    assert result.engine["llm"]["error"] in result.warnings[0]


@pytest.mark.parametrize("step, cause", [
    (answer("Une usine de dessalement ouvre à Nova Marina",
            ["La ville de Nova Marina a ouvert sa première grande usine de dessalement le 13 mars 2025.",
             "Selon l'autorité régionale de l'eau, l'usine peut produire 120 000 mètres cubes d'eau potable."]),
     "it answered in French, not English"),
    (Step('{"headline": "Nova Marina opens its first", "points": ["Nova Marina opened', finish_reason="length"),
     "the answer was not valid JSON (cut off: raise llm_max_tokens)"),
    (Step("I am sorry, I cannot help with that."), "the answer was not valid JSON"),
    (Step(""), "the answer was empty"),
    (Step(json.dumps({"summary": "no headline here"})), "the answer had no headline or no points"),
    (Step(body="<html>Bad gateway</html>"), "the server's response was not JSON"),
    (Step(status=401, body='{"error": "bad key"}'), "the server answered HTTP 401"),
    (Step(status=400, body='{"error": {"message": "maximum context length is 4096 tokens"}}'),
     "the server answered HTTP 400"),
])
def test_an_unusable_answer_means_the_extractive_brief(fake, llm, step, cause):
    fake.reset(step)
    assert_extractive(brief(llm()), cause)


def test_the_servers_own_words_go_to_the_log_not_the_brief(fake, llm, caplog):
    fake.reset(Step(status=400, body='{"error": {"message": "maximum context length is 4096 tokens"}}'))
    result = brief(llm())
    assert "maximum context length is 4096 tokens" in caplog.text
    assert "context" not in " ".join(result.warnings) and len(fake.requests) == 1  # a 400 is not retried


def test_a_server_that_is_down_means_the_extractive_brief(llm):
    result = brief(llm(llm_base_url=closed_port_url()))
    assert_extractive(result, "could not be reached")


def test_with_the_server_down_the_extractive_brief_is_still_translated(tmp_path):
    from tests.botharness import PrefixTranslator

    settings = Settings(data_dir=tmp_path, engine="llm", llm_base_url=closed_port_url(), llm_model=MODEL)
    briefer = Briefer(settings, translators=PrefixTranslator())
    briefer.languages = LANGUAGES
    result = briefer.brief_text(ARABIC)
    asyncio.run(briefer.aclose())
    assert result.language == "en" and result.headline.startswith("[en] مدينة ساحلية")
    assert len(result.warnings) == 1 and "could not be reached" in result.warnings[0]


def test_a_stalled_server_is_given_up_after_llm_timeout(fake, llm):
    fake.reset(Step("{}", delay=30))
    started = time.perf_counter()
    result = brief(llm(llm_timeout=2))
    assert time.perf_counter() - started < 6
    assert_extractive(result, "did not answer within 2 s (llm_timeout)")


def test_a_429_is_retried_after_retry_after(fake, llm):
    fake.reset(Step(status=429, body="{}", headers={"Retry-After": "1"}), FAITHFUL)
    started = time.perf_counter()
    result = brief(llm())
    assert time.perf_counter() - started >= 1.0
    assert result.points == [OPENED, CAPACITY, COST, TRUCKS] and result.warnings == []
    assert result.engine["llm"]["attempts"] == 2 and len(fake.requests) == 2


def test_a_server_failing_every_time_is_tried_four_times(fake, llm):
    fake.reset(default=Step(status=500, body="{}", headers={"Retry-After": "0"}))
    result = brief(llm())
    assert len(fake.requests) == 4
    assert_extractive(result, "the server answered HTTP 500 after 4 tries")


def test_a_retry_after_beyond_the_timeout_is_not_waited_for(fake, llm):
    fake.reset(Step(status=503, body="{}", headers={"Retry-After": "120"}))
    started = time.perf_counter()
    result = brief(llm(llm_timeout=5))
    assert time.perf_counter() - started < 3 and len(fake.requests) == 1
    assert_extractive(result, "asked to wait 120 s, longer than llm_timeout allows")


def test_retry_after_reads_seconds_and_dates_and_backs_off_without_one():
    assert _retry_after("3", 1) == 3.0
    assert 0 < _retry_after(time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30)), 1) <= 30
    assert [_retry_after(None, n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]


def test_requests_in_flight_are_bounded_by_llm_concurrency(fake, llm):
    fake.reset(default=Step(FAITHFUL.content, delay=0.3))
    briefer = llm(llm_concurrency=2)

    async def many() -> list[Brief]:
        return await asyncio.gather(*(briefer.abrief_text(ENGLISH) for _ in range(6)))

    results = asyncio.run(many())
    assert all(r.points == [OPENED, CAPACITY, COST, TRUCKS] for r in results)
    assert len(fake.requests) == 6 and fake.most_in_flight == 2


def test_the_api_key_goes_in_the_header_and_nowhere_else(fake, llm, caplog):
    key = "sk-test-0123456789secret"
    fake.reset(default=Step(status=500, body="{}", headers={"Retry-After": "0"}))
    briefer = llm(llm_api_key=key, llm_base_url=fake.base_url.replace("http://", "http://user:pw@"))
    result = brief(briefer)
    assert fake.headers[0]["Authorization"] == f"Bearer {key}"
    shown = json.dumps(result.to_dict()) + repr(briefer.settings) + caplog.text
    assert "HTTP 500" in caplog.text and key not in shown and "pw@" not in shown


def test_a_login_in_the_url_becomes_basic_auth(fake, llm):
    fake.reset(FAITHFUL)
    brief(llm(llm_base_url=fake.base_url.replace("http://", "http://user:pw@")))
    assert fake.headers[0]["Authorization"] == "Basic dXNlcjpwdw=="


def test_the_model_is_asked_of_the_server_when_not_configured(fake, llm):
    fake.reset(FAITHFUL)
    result = brief(llm(llm_model=""))
    assert fake.requests[0]["model"] == MODEL and result.engine["summarizer"] == f"llm:{MODEL}"


def test_answers_are_read_bare_fenced_or_after_thinking():
    expected = parse_answer('{"headline": "H", "points": ["a b c"], "extra": 1}')
    assert expected.headline == "H" and expected.points == ["a b c"]
    assert parse_answer('```\n{"headline": "H", "points": ["a b c"]}\n```') == expected
    assert parse_answer('<think>{"x": 1}</think>Sure: {"headline": "H", "points": ["a b c"]}') == expected
    with pytest.raises(Unusable, match="no points"):
        parse_answer('{"headline": "H", "points": [1, ""]}')


def test_the_server_address_is_shown_without_credentials():
    assert public_address("https://me:secret@llm.example:8443/v1?key=abc") == "https://llm.example:8443/v1"
    assert public_address("http://[::1]:11434/v1") == "http://[::1]:11434/v1"


def test_settings_fall_back_to_openai_api_key():
    assert Settings.load(env={"OPENAI_API_KEY": "sk-a"}, file=None).llm_api_key == "sk-a"
    assert Settings.load(env={"OPENAI_API_KEY": "sk-a", "BRIEFBOT_LLM_API_KEY": "sk-b"}).llm_api_key == "sk-b"
    settings = Settings.load(env={"BRIEFBOT_LLM_TIMEOUT": "2.5"})
    assert (settings.llm_timeout, settings.llm_concurrency, Settings().llm_timeout) == (2.5, 4, 60.0)


def test_a_closed_briefer_briefs_again_through_the_server(fake, llm):
    fake.reset(FAITHFUL, FAITHFUL)
    briefer = llm(llm_concurrency=1)
    brief(briefer)
    asyncio.run(briefer.aclose())  # the bot closes its Briefer at shutdown; a test may reuse one
    assert brief(briefer).engine["summarizer"] == f"llm:{MODEL}"


def test_closing_the_client_ends_a_brief_waiting_on_the_server(fake, llm):
    fake.reset(Step("{}", delay=30))
    briefer = llm(llm_timeout=60)

    async def close_while_waiting() -> Brief:
        waiting = asyncio.create_task(briefer.abrief_text(ENGLISH))
        while not fake.requests:
            await asyncio.sleep(0.05)
        await briefer.aclose()  # the bot shutting down
        return await asyncio.wait_for(waiting, 10)

    result = asyncio.run(close_while_waiting())
    assert_extractive(result, "the LLM client was closed while waiting for the server")


def test_without_a_server_the_llm_engine_stays_in_process(tmp_path):
    briefer = Briefer(Settings(data_dir=tmp_path, engine="llm"))
    assert briefer.llm is None


# ---- the command line ------------------------------------------------------------------

def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", **env}
    environment.pop("OPENAI_API_KEY", None)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60)


FALLBACK = "The LLM server wrote no brief: {}. This brief is extractive."
CLI_SCENARIOS = {  # name: (the server's answers, the headline, the warnings)
    "faithful": ([FAITHFUL], HEADLINE, []),
    "fenced": ([fenced(FAITHFUL)], HEADLINE, []),
    "changed": ([answer(HEADLINE, [OPENED, CAPACITY.replace("120,000", "150,000"), COST, TRUCKS])], HEADLINE,
                [RESTORED.format("120,000")]),
    "invented-number": ([answer(HEADLINE, [OPENED, CAPACITY, "The plant created 300 permanent jobs.", TRUCKS])],
                        HEADLINE, ["Figure guard: a sentence the model wrote held 300, which the article does not "
                                   "give, and was left out."]),
    "invented-source": ([answer(HEADLINE, [OPENED, CAPACITY, "Reuters reported that it is the largest plant.",
                                           TRUCKS])], HEADLINE,
                        ["Source check: a sentence the model wrote credited “Reuters”, whom the article does not "
                         "name, and was left out."]),
    "french": ([answer("Nova Marina ouvre une usine de dessalement",
                       ["La ville de Nova Marina a ouvert sa première grande usine de dessalement le 13 mars 2025."])],
               None, [FALLBACK.format("it answered in French, not English")]),
    "truncated": ([Step('{"headline": "Nova Marina opens', finish_reason="length")], None,
                  [FALLBACK.format("the answer was not valid JSON (cut off: raise llm_max_tokens)")]),
    "busy": ([Step(status=429, body="{}", headers={"Retry-After": "1"}), FAITHFUL], HEADLINE, []),
    "broken": ([Step(status=500, body="{}", headers={"Retry-After": "0"})], None,
               [FALLBACK.format("the server answered HTTP 500 after 4 tries")]),
    "stalled": ([Step("{}", delay=30)], None, [FALLBACK.format("the server did not answer within 2 s (llm_timeout)")]),
    "arabic": ([answer(HEADLINE, [OPENED, CAPACITY.replace("120,000", "150,000"), COST, TRUCKS],
                       sources={"S1": "Regional Water Authority", "S2": "Mayor Lina Haddad"})], HEADLINE,
               [RESTORED.format("١٢٠٬٠٠٠")]),
}


def test_cli_briefs_each_scenario_through_the_server(fake, tmp_path):
    """Every scenario at once, each article titled with its name so the fake answers it its own way."""
    fake.reset()
    files = []
    for name, (steps, _, _) in CLI_SCENARIOS.items():
        fake.routes[f"case {name}”"] = list(steps)
        files.append(tmp_path / f"{name}.txt")
        article = ARABIC.replace("من الجفاف\n", "من الجفاف case arabic\n", 1) if name == "arabic" else \
            ENGLISH.replace("two dry summers\n", f"two dry summers, case {name}\n", 1)
        files[-1].write_text(article)
    done = run_cli("brief", "--engine", "llm", "--format", "json", *map(str, files),
                   env={"BRIEFBOT_LLM_BASE_URL": fake.base_url, "BRIEFBOT_LLM_MODEL": MODEL,
                        "BRIEFBOT_LLM_TIMEOUT": "2", "BRIEFBOT_LLM_CONCURRENCY": "10",
                        "BRIEFBOT_FETCH_CONCURRENCY": "10", "BRIEFBOT_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    briefs = [json.loads(line) for line in done.stdout.splitlines()]
    for (name, (_, headline, warnings)), result in zip(CLI_SCENARIOS.items(), briefs, strict=True):
        extractive = f"Coastal city opens desalination plant after two dry summers, case {name}"
        assert result["headline"] == (headline or extractive), name
        assert warnings_match(result["warnings"], warnings), (name, result["warnings"])
        assert result["engine"]["llm"]["server"] == fake.base_url and result["language"] == "en"
    arabic = briefs[-1]
    assert arabic["source"]["language"] == "ar" and "120,000 cubic metres" in arabic["points"][1]
    assert arabic["engine"]["llm"]["model"] == MODEL


def test_cli_with_the_server_down_gives_the_extractive_brief_and_exit_0(tmp_path):
    done = run_cli("brief", "--engine", "llm", "--format", "json", str(EXAMPLES / "desalination.en.txt"),
                   env={"BRIEFBOT_LLM_BASE_URL": closed_port_url(), "BRIEFBOT_LLM_MODEL": MODEL,
                        "BRIEFBOT_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["headline"] == EXTRACTIVE_HEADLINE and len(result["warnings"]) == 1
    assert "could not be reached" in result["warnings"][0] and "Traceback" not in done.stderr


# ---- the bot ---------------------------------------------------------------------------

async def bot_briefs(settings_values: dict[str, object], tmp_path: Path, chat_id: int) -> tuple[list[str], list[str]]:
    """The HTML briefs and the progress texts the bot sent for a pasted Arabic article."""
    from tests.botharness import bot_settings, running_bot
    from tests.fakebotapi import FakeBotAPI

    api = FakeBotAPI()
    await api.start()
    try:
        async with running_bot(bot_settings(api, tmp_path, engine="llm", llm_model=MODEL, **settings_values)):
            api.message(chat_id, ARABIC)
            briefs = await api.wait_for(lambda a: [c.params["text"] for c in a.sent(chat_id=chat_id)
                                                   if c.params.get("parse_mode") == "HTML"])
        progress = [c.params["text"] for c in api.sent(chat_id=chat_id) if not c.params.get("parse_mode")]
        return briefs, progress
    finally:
        await api.stop()


async def test_the_bot_briefs_a_pasted_arabic_article_in_english_through_the_server(fake, tmp_path):
    fake.reset(Step(FAITHFUL.content, delay=1.5))   # progress shows once a stage has lasted a second
    briefs, progress = await bot_briefs({"llm_base_url": fake.base_url}, tmp_path, 71)
    assert HEADLINE in briefs[0] and "120,000 cubic metres" in briefs[0] and "<i>" not in briefs[0]
    assert "Writing the brief…" in progress
    assert len(fake.requests) == 1


async def test_the_bot_with_the_server_down_sends_the_extractive_brief_and_one_warning(tmp_path):
    briefs, _ = await bot_briefs({"llm_base_url": closed_port_url()}, tmp_path, 72)
    assert "مدينة ساحلية تفتتح محطة لتحلية المياه" in briefs[0]
    assert briefs[0].count("The LLM server wrote no brief") == 1 and "could not be reached" in briefs[0]


def test_models_list_shows_the_server_its_model_and_whether_it_answers(fake, tmp_path):
    env = {"BRIEFBOT_LLM_BASE_URL": fake.base_url, "BRIEFBOT_LLM_MODEL": MODEL, "BRIEFBOT_DATA_DIR": str(tmp_path)}
    listed = run_cli("models", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert f"engine llm: server {fake.base_url}, model {MODEL}, answers: yes, 1 model(s) listed" in listed.stdout
    assert not re.search(r"^engine llm {2,}", listed.stdout, re.MULTILINE)  # no in-process model row for it
    down = server_status(Settings(llm_base_url=closed_port_url(), llm_model=MODEL))
    assert down.endswith(f"model {MODEL}, answers: no (not reachable)")


async def test_the_bot_does_not_keep_a_brief_made_while_the_server_failed(fake, tmp_path):
    from tests.botharness import bot_settings, running_bot
    from tests.fakebotapi import FakeBotAPI

    fake.reset(Step("I cannot answer in JSON today."), FAITHFUL)
    api = FakeBotAPI()
    await api.start()

    def briefs(a: FakeBotAPI) -> list[str]:
        return [c.params["text"] for c in a.sent(chat_id=73) if c.params.get("parse_mode") == "HTML"]

    try:
        settings = bot_settings(api, tmp_path, engine="llm", llm_model=MODEL, llm_base_url=fake.base_url)
        async with running_bot(settings):
            api.message(73, ENGLISH)
            await api.wait_for(briefs)
            api.message(73, ENGLISH)
            await api.wait_for(lambda a: briefs(a)[1:])
    finally:
        await api.stop()
    first, second = briefs(api)
    assert "The LLM server wrote no brief" in first and HEADLINE not in first
    assert HEADLINE in second and len(fake.requests) == 2


async def test_digests_are_written_by_the_server_too(fake, tmp_path):
    from tests.botharness import bot_settings, running_bot
    from tests.fakebotapi import FakeBotAPI
    from tests.feedserver import FeedServer
    from tests.test_digests import ADMIN, CHANNEL, command, subscribe_both

    fake.reset(default=Step("No JSON for this one."))
    fake.routes["desalination"] = [FAITHFUL]
    api, feeds = FakeBotAPI(), FeedServer()
    api.add_channel(CHANNEL, "harbour_news", "Harbour News", {ADMIN: "administrator"})
    await api.start()
    await feeds.start()
    try:
        settings = bot_settings(api, tmp_path, feeds.port, engine="llm", llm_model=MODEL, llm_base_url=fake.base_url)
        async with running_bot(settings):
            await subscribe_both(api, feeds)
            assert "Posted" in await command(api, ADMIN, "/digest @harbour_news now")
    finally:
        await feeds.stop()
        await api.stop()
    text = "\n".join(c.params["text"] for c in api.sent("sendMessage", CHANNEL))
    assert HEADLINE in text and OPENED in text  # the desalination story, by the model, checked
    assert "Harbour FC" in text                  # the other story: the model failed, the extractive brief stands
    assert any("desalination" in json.dumps(r["messages"]) for r in fake.requests)
