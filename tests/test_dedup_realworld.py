"""Dedup at the question level on the real-world corpus: listed duplicates merge, must-not-merge pairs never do."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.config import Rules
from pipeline.dedup import cluster
from pipeline.models import QAItem, SourceItems, SourceMeta
from tests.realworld_score import CORPUS

GAPS = Path(__file__).resolve().parent / "dedup_known_gaps.yaml"

_CJK = re.compile(r"[\u3400-\u9fff]")


def _by_folder() -> list[tuple[str, dict[str, Any]]]:
    """(folder, expectations) per corpus folder."""
    files = sorted(CORPUS.glob("*/expected.yaml"))
    if not files:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the real-world corpus is missing: {CORPUS}")
        pytest.skip(f"the real-world corpus is not here: {CORPUS}")
    return [(path.parent.name, yaml.safe_load(path.read_text(encoding="utf-8"))) for path in files]


def _expectations() -> list[dict[str, Any]]:
    return [expected for _, expected in _by_folder()]


def _groups() -> dict[tuple[str, int], dict[str, Any]]:
    """Every listed duplicate group by (folder, position)."""
    return {(folder, n): g for folder, expected in _by_folder()
            for n, g in enumerate(expected.get("duplicate_groups", []))}


def _gaps() -> dict[tuple[str, int], dict[str, Any]]:
    return {(str(g["folder"]), int(g["group"])): g
            for g in yaml.safe_load(GAPS.read_text(encoding="utf-8"))["gaps"]}


def _one_card(questions: list[str], rules: Rules) -> bool:
    """Whether dedup puts the questions, each alone in its own source, into one cluster."""
    sources = [SourceItems(f"s{n}", f"s{n}.md", SourceMeta(), "utf-8", "md", 1, 0,
                           (QAItem("q1", q, "answer", "", "zh" if _CJK.search(q) else "en"),))
               for n, q in enumerate(questions)]
    return len(cluster(sources, rules.dedup)[0]) == 1


def test_no_must_not_merge_pair_merges(rules: Rules) -> None:
    pairs = [[text.split(": ", 1)[1] for text in pair]
             for expected in _expectations() for pair in expected.get("must_not_merge_examples", [])]
    assert len(pairs) >= 20
    assert [p for p in pairs if _one_card(p, rules)] == []


def test_exact_and_near_identical_groups_merge(rules: Rules) -> None:
    groups = [g for g in _groups().values() if str(g.get("kind", "")).startswith(("exact", "near-identical"))]
    assert len(groups) >= 5
    assert [g["members"] for g in groups if not _one_card([m["question"] for m in g["members"]], rules)] == []


def test_every_group_merges_but_the_known_gaps(rules: Rules) -> None:
    """Paraphrases, overlaps and translations merge too; the few that do not are listed with a reason, and a
    listed group that merges must leave the list (a ratchet)."""
    groups, gaps = _groups(), _gaps()
    merged = {where for where, g in groups.items() if _one_card([m["question"] for m in g["members"]], rules)}
    assert [where for where in groups if where not in merged and where not in gaps] == []
    assert [where for where in gaps if where in merged] == []
    reworded = [where for where in merged if not str(groups[where].get("kind", "")).startswith(("exact", "near"))]
    kinds = " ".join(str(groups[where].get("kind", "")) for where in reworded)
    assert len(reworded) * 2 >= len(groups) - len(merged) + len(reworded), "most reworded groups merge"
    assert "paraphrase" in kinds and "overlap" in kinds and "zh/en" in kinds


def test_known_gaps_name_real_groups_with_a_reason() -> None:
    groups = _groups()
    for where, gap in _gaps().items():
        assert where in groups, where
        assert [m["slug"] for m in groups[where]["members"]] == gap["slugs"], where
        assert len(str(gap["reason"])) > 20, where
