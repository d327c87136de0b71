"""The README as a newcomer meets it: every snippet that can run offline runs, and shows what it says.

- ```python blocks are executed from the checkout;
- every line of a ```sh block is run, unless it needs what tests do not have (NEEDS names it);
- `$ command` lines in plain blocks are run, and the lines under them must appear in the output,
  in order ("…" stands for any text);
- the JSON and TOML examples must hold only keys that briefbot really has.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.config import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)

# Commands that the README shows but that cannot run in an offline test, and what each needs.
NEEDS = {
    "python3 -m venv": "a fresh environment",
    ". .venv/bin/activate": "a fresh environment",
    "pip install": "PyPI",
    "python -m pytest": "nothing: it is this suite",
    "briefbot models download": "Hugging Face",
    "briefbot models convert": "a downloaded model",
    "briefbot models vmap": "a converted model",
    "briefbot run": "Telegram and a bot token",
    "export TELEGRAM_BOT_TOKEN": "a bot token",
    "docker": "a Docker engine",
    "ollama": "Ollama",
    "OLLAMA_CONTEXT_LENGTH=": "Ollama",
    "llama-server": "llama.cpp",
    "export BRIEFBOT_LLM_": "an LLM server",
    "briefbot brief --engine llm": "an LLM server",
}


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README) if lang == language]


def sh_commands() -> list[str]:
    """Each command of the sh blocks: continuation lines joined, comments dropped, `&&` split."""
    commands = []
    for body in blocks("sh"):
        for line in body.replace("\\\n", " ").splitlines():
            line = re.split(r"(?:^|\s)#\s", line, maxsplit=1)[0].strip()
            commands += [part.strip() for part in line.split(" && ") if part.strip()]
    return commands


def dollar_examples() -> list[tuple[str, list[str]]]:
    """(command, the lines shown under it) for each `$ ` line of the plain blocks."""
    examples = []
    for body in blocks(""):
        lines = body.splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("$ ")]
        for number, start in enumerate(starts):
            end = starts[number + 1] if number + 1 < len(starts) else len(lines)
            examples.append((lines[start][2:], lines[start + 1:end]))
    return examples


@pytest.fixture(scope="module")
def shell(tmp_path_factory) -> dict[str, str]:
    """An environment where `briefbot` is this checkout's, with no model, no config, no network."""
    home = tmp_path_factory.mktemp("readme")
    bin_dir = home / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "briefbot"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m bot "$@"\n')
    shim.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HF_HOME": str(home / "hf"),
            "HF_HUB_OFFLINE": "1", "BRIEFBOT_DATA_DIR": str(home / "data"), "BRIEFBOT_CONFIG": "",
            "PYTHONPATH": str(ROOT)}


_RESULTS: dict[str, subprocess.CompletedProcess[str]] = {}


def run(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Runs `command` in the checkout; the README shows some commands twice, and they run once."""
    if command not in _RESULTS:
        _RESULTS[command] = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True,
                                           text=True, timeout=120)
    return _RESULTS[command]


def shown_in(expected: str, actual: str) -> bool:
    """`actual` reads as `expected`, where each "…" in `expected` stands for any text."""
    pattern = ".*?".join(re.escape(part.strip()) for part in expected.split("…"))
    return re.fullmatch(pattern + (".*" if expected.rstrip().endswith("…") else ""), actual.strip()) is not None


def test_the_python_snippets_run(monkeypatch, capsys):
    snippets = blocks("python")
    assert snippets
    monkeypatch.chdir(ROOT)
    for snippet in snippets:
        exec(compile(snippet, "README.md", "exec"), {"__name__": "readme"})
    printed = capsys.readouterr().out
    assert "Coastal city opens desalination plant" in printed and "too short" in printed


def test_every_sh_command_runs_or_says_what_it_needs(shell):
    ran = []
    for command in sh_commands():
        if any(command.startswith(prefix) for prefix in NEEDS):
            continue
        if command.startswith("pybabel"):
            continue  # run by the catalog test below, on a copy of the catalogs
        assert command.startswith("briefbot "), f"the README's {command!r} is not run by this test"
        result = run(command, shell)
        assert result.returncode == 0, f"{command}\n{result.stderr[-2000:]}"
        assert "Traceback" not in result.stderr
        ran.append(command.split()[:2])
    assert ["briefbot", "brief"] in ran


def test_the_documented_catalog_commands_leave_nothing_untranslated(shell, tmp_path):
    """The README's pybabel commands, run on a copy: the template holds the code's texts and
    every one of them has an Arabic translation."""
    locale = tmp_path / "locale"
    shutil.copytree(ROOT / "bot" / "locale", locale)
    commands = [command for command in sh_commands() if command.startswith("pybabel")]
    assert [command.split()[:2] for command in commands] == [["pybabel", "extract"], ["pybabel", "update"]]
    for command in commands:
        assert run(command.replace("bot/locale/", f"{locale}/"), shell).returncode == 0
    with (locale / "messages.pot").open("rb") as fresh, (ROOT / "bot/locale/messages.pot").open("rb") as kept:
        assert {m.id for m in read_po(fresh)} == {m.id for m in read_po(kept)}, "run the README's pybabel commands"
    with (locale / "ar.po").open("rb") as handle:
        catalog = read_po(handle, locale="ar")
    assert [m.id for m in catalog if m.id and (not m.string or m.fuzzy)] == []


@pytest.mark.parametrize("command, shown", dollar_examples(), ids=lambda value: str(value)[:40])
def test_shown_commands_print_what_the_readme_shows(shell, command, shown):
    if "https://" in command or "http://" in command:
        pytest.skip("needs the network")
    result = run(command, shell)
    actual = (result.stdout + result.stderr).splitlines()
    position = 0
    for line in filter(None, shown):
        matches = [i for i in range(position, len(actual)) if shown_in(line, actual[i])]
        assert matches, f"{command}: the README shows {line!r}; the output was:\n" + "\n".join(actual)
        position = matches[0] + 1


def _keys_hold(shown: object, real: object, path: str = "") -> None:
    if isinstance(shown, dict):
        assert isinstance(real, dict), path
        for key, value in shown.items():
            assert key in real, f"the README's JSON shows {path}{key}, which briefs do not have"
            _keys_hold(value, real[key], f"{path}{key}.")
    elif isinstance(shown, list) and shown and isinstance(shown[0], dict):
        assert isinstance(real, list) and real, path
        _keys_hold(shown[0], real[0], path)


def test_the_json_example_holds_only_real_keys(shell):
    (example,) = [block for block in blocks("json") if block.startswith('{"source"')]  # the brief contract
    result = run("briefbot brief bot/examples/desalination.html --format json", shell)
    assert result.returncode == 0, result.stderr
    _keys_hold(json.loads(example), json.loads(result.stdout))


def test_the_config_example_loads_and_names_each_environment_variable(tmp_path):
    (example,) = blocks("toml")
    config = tmp_path / "config.toml"
    config.write_text(example)
    Settings.load(env={}, file=config)
    known = {f.name for f in fields(Settings)}
    for line in example.splitlines():
        key = line.split("=", 1)[0].strip()
        assert key in known, key
        assert f"# {ENV_PREFIX}{key.upper()}" in line, line
    assert tomllib.loads(example)


def test_the_image_carries_the_prompts_and_keeps_models_out_of_the_volume():
    dockerfile = (ROOT / "Dockerfile").read_text()
    final_stage = dockerfile.rsplit("\nFROM ", 1)[1]
    assert re.search(r"^COPY prompts (\S+)$", final_stage, re.MULTILINE)
    prompts_dir = re.search(r"^COPY prompts (\S+)$", final_stage, re.MULTILINE).group(1)
    assert f"BRIEFBOT_PROMPTS_DIR={prompts_dir}" in final_stage
    volumes = json.loads(re.search(r"^VOLUME (\[.*\])$", final_stage, re.MULTILINE).group(1))
    hf_home = re.search(r"HF_HOME=(\S+)", final_stage).group(1)
    assert not any(hf_home == volume or hf_home.startswith(volume.rstrip("/") + "/") for volume in volumes)
    assert "docker compose exec briefbot briefbot models download" in README
    assert "/setinline" in README


def test_no_readme_link_or_path_points_nowhere():
    for path in sorted(set(re.findall(r"`((?:bot|bench|tests|prompts)/[\w./-]+)`", README))):
        assert (ROOT / path).exists(), path
    anchors = set(re.findall(r"\]\(#([\w-]+)\)", README))
    headings = {re.sub(r"[^\w\s-]", "", h).strip().lower().replace(" ", "-")
                for h in re.findall(r"^#+ (.+)$", README, re.MULTILINE)}
    assert anchors <= headings, anchors - headings
    assert "DESIGN.md" not in README or (ROOT / "DESIGN.md").exists()
