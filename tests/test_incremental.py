"""An incremental build (stage files reused, one page added) equals a full build from scratch, byte for byte."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from pipeline.config import load_rules
from pipeline.session import Paths, Session
from tests.conftest import NOW, copy_raw, session_for

SEEDS = ("llm-common-questions-general", "llm-attention-basics-series-1", "llm-interview-questions-part-3")
ADDED = "top-50-llm-interview-questions-bilingual"


def _outputs(out: Path) -> dict[str, bytes]:
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.yaml")}
    with zipfile.ZipFile(out / "deckmill.apkg") as package:  # the members, not the zip's own timestamps
        files |= {f"apkg:{name}": package.read(name) for name in package.namelist()}
    return files


def test_adding_a_page_incrementally_equals_a_build_from_scratch(tmp_path: Path) -> None:
    raw = copy_raw(tmp_path / "raw", *SEEDS)
    incremental = session_for(tmp_path, raw, NOW)
    incremental.build()
    scratch = tmp_path / "scratch-decks"  # the same history (ledger, overrides), none of the stage files
    scratch.mkdir()
    shutil.copy(tmp_path / "decks" / "ledger.yaml", scratch / "ledger.yaml")
    copy_raw(raw, ADDED)
    report = session_for(tmp_path, raw, NOW + 60).build()
    assert [s for s, _ in report.rebuilt] == [ADDED]  # only the new page was cleaned and extracted
    full = Session(Paths(raw, scratch), load_rules(), now=NOW + 60)
    assert len(full.build().rebuilt) == len(SEEDS) + 1
    mine, theirs = _outputs(tmp_path / "decks"), _outputs(scratch)
    assert mine.keys() == theirs.keys() and len(mine) > len(SEEDS) * 2
    assert [name for name in mine if mine[name] != theirs[name]] == []
