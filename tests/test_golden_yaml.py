"""The committed YAML (cleaned pages, items, merged cards, ledger) is exactly what a fresh build produces."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_raw, session_for

DECKS = ROOT / "decks"


def _committed_files() -> list[Path]:
    files = sorted(p.relative_to(DECKS) for p in DECKS.rglob("*.yaml") if p.name != "overrides.yaml")
    return files


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("golden")
    raw = copy_raw(tmp / "raw", "")
    out = tmp / "decks"
    out.mkdir()
    for name in ("ledger.yaml", "overrides.yaml"):
        if (DECKS / name).exists():
            shutil.copy(DECKS / name, out / name)
    session_for(tmp, raw, now=2_000_000_000).build()  # a later clock: nothing may need it
    return out


def test_committed_yaml_exists_for_every_raw_source() -> None:
    sources = {p.name.split(".")[0] for p in (ROOT / "raw").iterdir() if not p.name.endswith(".meta.yaml")}
    committed = {p.stem for p in (DECKS / "yaml").glob("*.yaml")} - {"merged"}
    assert sources == committed


@pytest.mark.parametrize("relative", _committed_files(), ids=str)
def test_committed_yaml_matches_a_fresh_build(fresh: Path, relative: Path) -> None:
    produced = fresh / relative
    assert produced.exists(), f"{relative} is committed but a fresh build does not produce it"
    assert produced.read_text(encoding="utf-8") == (DECKS / relative).read_text(encoding="utf-8"), (
        f"{relative} differs from a fresh build: run `make deck` and commit the result")


def test_fresh_build_produces_nothing_uncommitted(fresh: Path) -> None:
    produced = {p.relative_to(fresh) for p in fresh.rglob("*.yaml") if p.name != "overrides.yaml"}
    assert produced == set(_committed_files())
