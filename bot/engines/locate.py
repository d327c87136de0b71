"""Finding model weights: a local folder, or the Hugging Face cache; never the network
unless the user runs `briefbot models download`.

A model that is not there is a `ModelNotInstalled` error whose hint is the exact
command that fetches it, so the CLI and the bot can say what to do.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from bot.errors import BriefError

ENGINE_PACKAGES = ("torch", "transformers", "sentencepiece")


class ModelNotInstalled(BriefError):
    """The weights are not on this machine (or the model packages are not installed)."""


def engines_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ENGINE_PACKAGES)


def require_engines() -> None:
    if not engines_installed():
        raise ModelNotInstalled("The model packages are not installed.",
                                "Install them with: pip install 'briefbot[models]'")


def locate(model: str, fetch_name: str | None = None) -> Path:
    """The folder holding `model` (a path, or a hub id found in the local cache)."""
    folder = Path(model).expanduser()
    if folder.is_dir():
        return folder
    if folder.is_absolute() or model.startswith("."):
        raise ModelNotInstalled(f"There is no model folder at {model}.")
    require_engines()
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(model, local_files_only=True))
    except (LocalEntryNotFoundError, OSError, ValueError):
        raise ModelNotInstalled(f"The model {model} is not installed.",
                                f"Download it (needs internet) with: briefbot models download {fetch_name or model}") from None


def download(model: str) -> Path:
    """Fetches a model's weights into the Hugging Face cache (`HF_HOME`)."""
    require_engines()
    from huggingface_hub import snapshot_download

    # Only what transformers and CTranslate2 read: no TF/Flax/ONNX duplicates.
    patterns = ["*.json", "*.safetensors", "*.model", "*.spm", "*.txt", "*.jinja", "*.tiktoken"]
    return Path(snapshot_download(model, allow_patterns=patterns))


def converted_folder(models_dir: Path, model: str) -> Path:
    """Where `briefbot models convert` puts the CTranslate2 version of `model`."""
    return models_dir / "ctranslate2" / re.sub(r"[^A-Za-z0-9._-]+", "--", model.strip("/"))


def folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
