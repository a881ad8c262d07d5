"""Shared fixtures: the shipped rules, the seed pages, and helpers that build a raw/ dir or read one page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.clean import clean_page
from pipeline.config import Rules, load_rules
from pipeline.extract import extract
from pipeline.models import SourceItems
from pipeline.session import Paths, Session
from pipeline.sources import load_page

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = Path(__file__).resolve().parent / "seeds"  # the suite's own copies of the seed pages: never the user's raw/
GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOW = 1_790_000_000  # a fixed clock (2026-09-21) so builds in tests are reproducible


@pytest.fixture(autouse=True)
def _away_from_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in its own folder, so a user's ./deckmill.yaml, raw/ or decks/ can never reach it."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules()


def copy_raw(dest: Path, *names: str) -> Path:
    """Copy seed pages (and their meta sidecars) from tests/seeds/ into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        for path in SEEDS_DIR.glob(f"{name}*"):
            shutil.copy(path, dest / path.name)
    return dest


def session_for(tmp_path: Path, raw: Path, now: int = NOW) -> Session:
    return Session(Paths(raw, tmp_path / "decks"), load_rules(), now=now)


def extract_file(path: Path, rules: Rules) -> SourceItems:
    """One page through clean and extract, as a build reads it (nothing written)."""
    return extract(clean_page(load_page(path), rules), rules)


def assert_no_junk(source: SourceItems, *junk: str) -> None:
    """None of these strings (site chrome, labels) shows in any question or answer of the page."""
    for item in source.items:
        text = item.question + item.answer
        assert not [j for j in junk if j in text], (item.question, [j for j in junk if j in text])
