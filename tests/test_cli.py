"""The command line as a user runs it: a real subprocess."""

import json
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLES


def briefbot(*args, stdin: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, timeout=120)


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
        (["brief", "-"], b"\x00\x01\x02binary", "binary file"),
        (["brief", str(EXAMPLES)], None, "reads .txt and .html files"),
        (["brief", "https://example.com/a"], None, "Links are not supported yet"),
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
