"""Every real-world corpus page held to its expectation, or (known gaps) to no worse than its recorded figures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from pipeline.config import load_rules
from tests.realworld_score import (
    CORPUS,
    PageScore,
    format_page,
    groups,
    load_known_gaps,
    regressions,
    score_group,
)

GAPS = Path(__file__).resolve().parent / "realworld_known_gaps.yaml"


def _page_keys() -> list[str]:
    return [f"{g.name}/{entry['slug']}" for g in groups(CORPUS)
            for entry in yaml.safe_load((g / "expected.yaml").read_text(encoding="utf-8"))["files"]]


def _require_corpus() -> None:
    if groups(CORPUS):
        return
    message = f"the real-world corpus is missing: {CORPUS} has no */expected.yaml"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def scores() -> dict[str, PageScore]:
    _require_corpus()
    rules = load_rules()
    return {s.key: s for g in groups(CORPUS) for s in score_group(g, rules)}


def test_corpus_present() -> None:
    _require_corpus()
    assert _page_keys()


@pytest.mark.parametrize("key", _page_keys() or ["(no corpus)"])
def test_page_meets_its_expectation(scores: dict[str, PageScore], key: str) -> None:
    score = scores[key]
    recorded = load_known_gaps(GAPS).get(key)
    if recorded is None:
        assert score.perfect, format_page(score, detail=True)
        return
    worse = regressions(score, recorded)
    assert not worse, f"{key} got worse than recorded in {GAPS.name}: {worse}\n{format_page(score, detail=True)}"
    assert not score.perfect, f"{key} now meets its expectation: remove it from {GAPS.name}"


def test_known_gaps_name_real_pages() -> None:
    _require_corpus()
    unknown = set(load_known_gaps(GAPS)) - set(_page_keys())
    assert not unknown, f"{GAPS.name} lists pages the corpus does not have: {sorted(unknown)}"
