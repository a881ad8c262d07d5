"""Snapshots of parsed items files (decks/.cache/parsed/items-*.pickle): what reading the file gives, and a miss (never
a crash, never stale data) when damaged or when the file changed."""

from __future__ import annotations

import pickle
from pathlib import Path

from pipeline.config import load_rules
from pipeline.session import Paths, Session
from pipeline.snapshot import load_snapshot
from pipeline.stagefiles import read_items
from tests.conftest import NOW, copy_raw

SEEDS = ("llm-common-questions-general", "llm-attention-basics-series-1")


def _built(tmp_path: Path) -> Paths:
    paths = Paths(copy_raw(tmp_path / "raw", *SEEDS), tmp_path / "decks")
    Session(paths, load_rules(), now=NOW).build()
    return paths


def test_each_items_file_has_one_snapshot_equal_to_reading_the_file(tmp_path: Path) -> None:
    paths = _built(tmp_path)
    files = sorted(paths.yaml_dir.glob("*.yaml"))
    assert [f.stem for f in files] == sorted(SEEDS)
    assert len(list(paths.parsed_cache.glob("items-*.pickle"))) == len(SEEDS)
    for path in files:
        kept = read_items(path, paths.parsed_cache)
        assert kept == read_items(path) and len(kept.items) > 5
    Session(paths, load_rules(), now=NOW + 60).build()
    assert len(list(paths.parsed_cache.glob("items-*.pickle"))) == len(SEEDS)  # old ones never pile up


def test_a_damaged_snapshot_is_a_miss_and_is_made_again(tmp_path: Path) -> None:
    paths = _built(tmp_path)
    path = paths.yaml_dir / f"{SEEDS[0]}.yaml"
    expected = read_items(path)
    (snapshot,) = [p for p in paths.parsed_cache.glob("items-*.pickle")
                   if load_snapshot(path.read_bytes(), paths.parsed_cache, p.name.rsplit("-", 1)[0]) is not None]
    good = snapshot.read_bytes()
    for damage in (b"", b"\x80\x05junk", good[: len(good) // 3], pickle.dumps({"items": []}), pickle.dumps(None)):
        snapshot.write_bytes(damage)
        assert read_items(path, paths.parsed_cache) == expected, damage[:20]
        assert snapshot.read_bytes() != damage  # made again from the file


def test_an_edited_items_file_is_read_again_never_the_snapshot(tmp_path: Path) -> None:
    paths = _built(tmp_path)
    path = paths.yaml_dir / f"{SEEDS[1]}.yaml"
    first = read_items(path, paths.parsed_cache).items[0]
    text = path.read_text(encoding="utf-8")
    assert text.count(f"question: {first.question}") == 1
    path.write_text(text.replace(f"question: {first.question}", "question: 一个改过的问题"), encoding="utf-8")
    assert read_items(path, paths.parsed_cache).items[0].question == "一个改过的问题"
