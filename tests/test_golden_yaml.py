"""A fresh build of the suite's seed copies (from the legacy ledger) gives exactly the files in tests/golden."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.yamlio import read_yaml
from tests.conftest import GOLDEN, SEEDS_DIR, copy_raw, session_for

GOLDEN_CLOCK = 2_000_000_000
LEGACY_LEDGER = GOLDEN / "ledger-v1.yaml"  # the ledger as the first release wrote it
OUTPUTS = ("clean", "yaml", "ledger.yaml", "merged.yaml", "proposals.yaml")


def build_golden(tmp: Path) -> Path:
    """Build tests/seeds from the legacy ledger at a fixed clock; returns the out dir."""
    raw = copy_raw(tmp / "raw", "")
    out = tmp / "decks"
    out.mkdir(parents=True)
    shutil.copy(LEGACY_LEDGER, out / "ledger.yaml")
    session_for(tmp, raw, now=GOLDEN_CLOCK).build()
    return out


def _golden_files() -> list[Path]:
    return sorted(p.relative_to(GOLDEN) for name in OUTPUTS for p in
                  ([GOLDEN / name] if name.endswith(".yaml") else (GOLDEN / name).rglob("*.yaml")))


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_golden(tmp_path_factory.mktemp("golden"))


def test_golden_yaml_exists_for_every_seed_page() -> None:
    sources = {p.name.split(".")[0] for p in SEEDS_DIR.iterdir() if not p.name.endswith(".meta.yaml")}
    committed = {p.stem for p in (GOLDEN / "yaml").glob("*.yaml")} - {"merged"}
    assert sources == committed
    assert len(sources) == 5


@pytest.mark.parametrize("relative", _golden_files(), ids=str)
def test_golden_yaml_matches_a_fresh_build(fresh: Path, relative: Path) -> None:
    produced = fresh / relative
    assert produced.exists(), f"{relative} is golden but a fresh build does not produce it"
    assert produced.read_text(encoding="utf-8") == (GOLDEN / relative).read_text(encoding="utf-8"), (
        f"{relative} differs from a fresh build: review the change, then `python scripts/update_golden.py`")


def test_fresh_build_produces_nothing_outside_the_golden_set(fresh: Path) -> None:
    produced = {p.relative_to(fresh) for name in OUTPUTS for p in
                ([fresh / name] if name.endswith(".yaml") else (fresh / name).rglob("*.yaml"))}
    assert produced == set(_golden_files())


def test_the_first_releases_ledger_migrates_keeping_every_identity(fresh: Path) -> None:
    old = read_yaml(LEGACY_LEDGER)
    new = read_yaml(fresh / "ledger.yaml")
    assert old["schema"] == 1 and new["schema"] == 2
    assert set(new["cards"]) == set(old["cards"]) and len(old["cards"]) == 92
    for card_id, entry in old["cards"].items():
        now = new["cards"][card_id]
        assert (now["guid"], now["note_id"], now["position"]) == (entry["guid"], entry["note_id"], entry["position"])
        assert now["mod"] == entry["changed"]  # nothing the learner studies changed: no note updates
        assert now["question"] == entry["question"] and now["primary"] in now["members"]
