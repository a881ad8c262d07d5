"""Common question templates: the usual shapes of one question merge, close questions asking something else do not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.config import Rules
from pipeline.dedup import cluster
from pipeline.models import QAItem, SourceItems, SourceMeta

TEMPLATES = yaml.safe_load((Path(__file__).resolve().parent / "dedup_templates.yaml").read_text(encoding="utf-8"))


def _cards(rules: Rules, a: str, b: str) -> int:
    """How many cards the two questions make, each on a page of its own."""
    pages = [SourceItems(f"p{n}", f"p{n}.txt", SourceMeta(), "utf-8", "txt", 1, 0,
                         (QAItem("q1", q, "answer", "", "zh" if any("\u4e00" <= c <= "\u9fff" for c in q) else "en"),))
             for n, q in enumerate((a, b))]
    return len(cluster(pages, rules.dedup)[0])


def test_the_table_has_both_kinds() -> None:
    assert len(TEMPLATES["same"]) >= 30 and len(TEMPLATES["different"]) >= 20


@pytest.mark.parametrize(("a", "b"), TEMPLATES["same"])
def test_one_question_in_its_usual_shapes_is_one_card(a: str, b: str, rules: Rules) -> None:
    assert _cards(rules, a, b) == 1


@pytest.mark.parametrize(("a", "b"), TEMPLATES["different"])
def test_close_questions_asking_something_else_are_two_cards(a: str, b: str, rules: Rules) -> None:
    assert _cards(rules, a, b) == 2
