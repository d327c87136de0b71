from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import BriefError


def test_file_then_environment_override_defaults(tmp_path):
    config = tmp_path / "briefbot.toml"
    config.write_text('target_language = "fr"\npoints = 6\ndata_dir = "~/bb"\n')
    settings = Settings.load(env={"BRIEFBOT_POINTS": "3"}, file=config)
    assert settings.target_language == "fr"
    assert settings.points == 3
    assert settings.data_dir == Path("~/bb").expanduser()


def test_config_from_environment_variable(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('target_language = "AR"\n')
    assert Settings.load(env={"BRIEFBOT_CONFIG": str(config)}).target_language == "ar"


@pytest.mark.parametrize("content", ["points = 0\n", "colour = 'red'\n", "points = [\n"])
def test_bad_settings_are_explained(tmp_path, content):
    config = tmp_path / "bad.toml"
    config.write_text(content)
    with pytest.raises(BriefError):
        Settings.load(env={}, file=config)
