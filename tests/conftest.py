"""Shared fixtures: the shipped rules, the seed pages, and a helper that builds a raw/ dir into decks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.config import Rules, load_rules
from pipeline.session import Paths, Session

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOW = 1_790_000_000  # a fixed clock (2026-09-21) so builds in tests are reproducible


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules()


def copy_raw(dest: Path, *names: str) -> Path:
    """Copy seed pages (and their meta sidecars) from raw/ into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        for path in RAW.glob(f"{name}*"):
            shutil.copy(path, dest / path.name)
    return dest


def session_for(tmp_path: Path, raw: Path, now: int = NOW) -> Session:
    return Session(Paths(raw, tmp_path / "decks"), load_rules(), now=now)
