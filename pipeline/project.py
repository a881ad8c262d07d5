"""The project root (nearest folder upward holding deckmill.yaml) and `deckmill init` of a new one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import DeckmillError

CONFIG_NAME = "deckmill.yaml"

CONFIG_TEXT = """\
# deckmill project settings: rules overlaid on the shipped ones (pipeline/rules/*.yaml).
# Top-level keys are the rule files' names; uncomment and edit what you want to change.
#
# junk:                      # blocks to drop from every page, each a name and a regular expression
#   drop_block:
#     - name: my-site-footer
#       pattern: '^Follow us for more'
#
# deck:                      # the root deck of new cards (the package is always decks/deckmill.apkg)
#   deck_name: LLM面试
#
# fetch:                     # how `deckmill add URL` fetches (timeout, size limit, URL rewrites, ...)
#   timeout_seconds: 20
#   max_bytes: 10000000
"""

GITIGNORE_TEXT = """\
# deckmill: keep raw pages, decks/*.yaml (items, merged, ledger, overrides) committed;
# the cache and the built packages are remade by `deckmill build`.
decks/.cache/
decks/.deckmill.lock
decks/*.apkg
decks/*.preview.html
"""


class InitError(DeckmillError):
    """`deckmill init` was pointed at a folder that is already a project."""


@dataclass(frozen=True)
class Layout:
    """Where the commands read and write, and the project file when there is one."""

    raw: Path
    out: Path
    config: Path | None
    root: Path | None


def find_root(start: Path) -> Path | None:
    """The nearest folder from `start` upward that holds deckmill.yaml, or None."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def resolve_layout(cwd: Path, raw: Path | None, out: Path | None, config: Path | None) -> Layout:
    """Explicit --raw/--out/--config stay relative to `cwd`; the rest come from the project root, else `cwd`."""
    root = find_root(cwd)
    base = root if root is not None else cwd
    if config is None and root is not None:
        config = root / CONFIG_NAME
    return Layout(raw=raw if raw is not None else base / "raw", out=out if out is not None else base / "decks",
                  config=config, root=root)


def init_project(folder: Path) -> list[Path]:
    """Create raw/, decks/, a commented deckmill.yaml and a .gitignore in `folder`; returns what was made."""
    config = folder / CONFIG_NAME
    if config.exists():
        raise InitError(f"{config}: already a deckmill project")
    made: list[Path] = []
    for sub in ("raw", "decks"):
        path = folder / sub
        if not path.is_dir():
            path.mkdir(parents=True)
            made.append(path)
    config.write_text(CONFIG_TEXT, encoding="utf-8")
    made.append(config)
    ignore = folder / ".gitignore"
    if ignore.exists():
        text = ignore.read_text(encoding="utf-8")
        if "decks/.cache/" not in text:
            ignore.write_text(text.rstrip("\n") + "\n" + GITIGNORE_TEXT, encoding="utf-8")
            made.append(ignore)
    else:
        ignore.write_text(GITIGNORE_TEXT, encoding="utf-8")
        made.append(ignore)
    return made
