"""Dedup at the question level on the real-world corpus: listed duplicates merge, must-not-merge pairs never do."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
import yaml

from pipeline.config import Rules
from pipeline.dedup import cluster
from pipeline.models import QAItem, SourceItems, SourceMeta
from tests.realworld_score import CORPUS

_CJK = re.compile(r"[\u3400-\u9fff]")


def _expectations() -> list[dict[str, Any]]:
    files = sorted(CORPUS.glob("*/expected.yaml"))
    if not files:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the real-world corpus is missing: {CORPUS}")
        pytest.skip(f"the real-world corpus is not here: {CORPUS}")
    return [yaml.safe_load(path.read_text(encoding="utf-8")) for path in files]


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
    groups = [g for expected in _expectations() for g in expected.get("duplicate_groups", [])
              if str(g.get("kind", "")).startswith(("exact", "near-identical"))]
    assert len(groups) >= 5
    assert [g["members"] for g in groups if not _one_card([m["question"] for m in g["members"]], rules)] == []


def test_reworded_groups_merge_across_kinds(rules: Rules) -> None:
    """Paraphrases and translations are the hard part: a floor (a sixth of the groups) guards against regressions."""
    groups = [g for expected in _expectations() for g in expected.get("duplicate_groups", [])
              if not str(g.get("kind", "")).startswith(("exact", "near-identical"))]
    merged = [g for g in groups if _one_card([m["question"] for m in g["members"]], rules)]
    assert len(merged) * 6 >= len(groups), [[m["question"] for m in g["members"]] for g in merged]
    kinds = " ".join(str(g.get("kind", "")) for g in merged)
    assert "paraphrase" in kinds and "cross-language" in kinds
