"""The command line as a user runs it: a real subprocess."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLES
from tests.pdfs import article_pdf


def briefbot(*args, stdin: bytes | None = None, env: dict | None = None):
    environment = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                          timeout=120, env=environment)


def test_text_brief_of_the_bundled_example():
    result = briefbot("brief", str(EXAMPLES / "desalination.en.txt"))
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert out.startswith("Coastal city opens desalination plant")
    assert "Key figures:" in out and "$310 million" in out


def test_json_lines_one_object_per_source():
    result = briefbot("brief", str(EXAMPLES / "desalination.en.txt"), str(EXAMPLES / "desalination.ar.txt"),
                      "--format", "json", "--points", "2")
    lines = result.stdout.decode().splitlines()
    assert result.returncode == 0 and len(lines) == 2
    first, second = map(json.loads, lines)
    assert first["source"]["language"] == "en" and len(first["points"]) == 2
    assert second["source"]["language"] == "ar" and second["warnings"]


def test_html_format_is_telegram_html():
    result = briefbot("brief", str(EXAMPLES / "desalination.html"), "--format", "html")
    out = result.stdout.decode()
    assert result.returncode == 0
    assert out.startswith("<b>Coastal city") and '<a href="https://gulfharbourtimes.example/' in out


def test_stdin_with_same_language_target():
    text = (EXAMPLES / "desalination.ar.txt").read_bytes()
    result = briefbot("brief", "-", "--to", "ar", stdin=text)
    assert result.returncode == 0
    assert "translation" not in result.stdout.decode()


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["brief", "missing.txt"], None, "missing.txt: No such file."),
        (["brief", "-"], b"", "stdin: The text is empty."),
        (["brief", "-"], b"Two words.", "too short to brief"),
        (["brief", "-"], b"Just three words", "stdin: The text is too short to brief (3 words). A brief needs"),
        (["brief", "-"], b"\x00\x01\x02binary", "binary file"),
        (["brief", str(EXAMPLES)], None, "examples: This is a folder, not a file."),
        (["brief", "-"], b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nBT (Some words here) Tj ET\n%%EOF\n",
         "stdin: This PDF is damaged and cannot be read."),
        (["brief", "file:///etc/passwd"], None, "bad URL: Only http and https"),
        (["brief", "http://169.254.169.254/latest/meta-data/"], None, "blocked address"),
    ],
)
def test_bad_input_gets_one_line_and_a_non_zero_exit(args, stdin, message):
    result = briefbot(*args, stdin=stdin)
    err = result.stderr.decode()
    assert result.returncode == 1
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_one_failing_source_does_not_stop_the_others():
    result = briefbot("brief", "missing.txt", str(EXAMPLES / "desalination.en.txt"))
    assert result.returncode == 1
    assert "Coastal city" in result.stdout.decode()


def test_usage_errors_exit_2():
    assert briefbot("brief", "x.txt", "--points", "0").returncode == 2
    assert briefbot("brief", "x.txt", "--format", "pdf").returncode == 2


def test_a_bad_target_language_is_one_usage_error_whatever_the_sources():
    result = briefbot("brief", "a.txt", str(EXAMPLES / "desalination.en.txt"), "-", "--to", "xx", stdin=b"")
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode().splitlines() == [
        "briefbot: 'xx' is not a language code briefbot knows. Use a two-letter ISO 639-1 code such as en, ar or fr."]


def test_a_pdf_renamed_txt_or_html_is_read_as_the_pdf_it_is(tmp_path):
    sources = []
    for suffix in (".txt", ".html"):
        renamed, fake = tmp_path / f"notes{suffix}", tmp_path / f"fake{suffix}"
        renamed.write_bytes(article_pdf((EXAMPLES / "desalination.en.txt").read_text()))
        fake.write_bytes(b"%PDF-1.7\n" + b"BT (The city opened a plant on Thursday.) Tj ET\n" * 40 + b"%%EOF\n")
        sources += [str(renamed), str(fake)]
    result = briefbot("brief", *sources)
    assert result.returncode == 1 and result.stdout.decode().count("Coastal city") == 2
    assert result.stderr.decode().count("This PDF is damaged and cannot be read.") == 2


@pytest.mark.parametrize("where", ["before", "after"])
def test_config_works_before_and_after_the_subcommand(tmp_path, where):
    config = tmp_path / "briefbot.toml"
    config.write_text('points = 2\nmin_words = 5000\n')
    args = ["brief", str(EXAMPLES / "desalination.en.txt")]
    args = ["--config", str(config), *args] if where == "before" else [*args, "--config", str(config)]
    result = briefbot(*args, env={"BRIEFBOT_CONFIG": ""})
    assert result.returncode == 1 and "at least 5000 words" in result.stderr.decode()


def test_config_after_the_subcommand_wins_over_the_one_before(tmp_path):
    (tmp_path / "short.toml").write_text("points = 1\n")
    (tmp_path / "long.toml").write_text("points = 3\n")
    result = briefbot("--config", str(tmp_path / "short.toml"), "brief", str(EXAMPLES / "desalination.en.txt"),
                      "--format", "json", "--config", str(tmp_path / "long.toml"))
    assert result.returncode == 0 and len(json.loads(result.stdout)["points"]) == 3


def test_links_are_fetched_concurrently_and_failures_named(server):
    env = {"BRIEFBOT_FETCH_ALLOWLIST": "127.0.0.1", "BRIEFBOT_FETCH_PORTS": f"80,443,{server.port}"}
    result = briefbot("brief", server.url("/article"), server.url("/pdf"), server.url("/plain"),
                      "--format", "json", env=env)
    briefs = [json.loads(line) for line in result.stdout.decode().splitlines()]
    err = result.stderr.decode()
    assert result.returncode == 1
    # the page's canonical link names another site than the one it came from: the fetched URL stays
    assert [b["source"]["url"] for b in briefs] == [server.url("/article"), server.url("/plain")]
    assert briefs[0]["source"]["site"] == "Gulf Harbour Times"
    assert err.count("\n") == 1 and "/pdf: not an article:" in err


def test_local_links_are_closed_without_the_allowlist(server):
    result = briefbot("brief", server.url("/article"), env={"BRIEFBOT_FETCH_PORTS": f"80,443,{server.port}"})
    assert result.returncode == 1 and "blocked address" in result.stderr.decode()


def test_oversized_standard_input_is_refused():
    result = briefbot("brief", "-", stdin=b"word " * 2000, env={"BRIEFBOT_MAX_INPUT_BYTES": "1000"})
    assert result.returncode == 1 and "larger than the input limit" in result.stderr.decode()


def test_run_without_a_token_says_where_to_put_one():
    result = briefbot("run", env={"TELEGRAM_BOT_TOKEN": "", "BRIEFBOT_TELEGRAM_BOT_TOKEN": ""})
    assert result.returncode == 2
    stderr = result.stderr.decode()
    assert "TELEGRAM_BOT_TOKEN" in stderr and "Traceback" not in stderr


def test_a_reader_that_goes_away_gets_no_traceback():
    process = subprocess.Popen([sys.executable, "-m", "bot", "models", "list"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    process.stdout.close()  # like `| head -0`
    stderr = process.stderr.read().decode()
    process.wait(120)
    assert "Traceback" not in stderr
