"""The corpus scorer's comparisons: numbering and labels stripped, near matches only, ratchet direction."""

from __future__ import annotations

from tests.realworld_score import PageScore, matches, norm, regressions, tightened_gaps


def test_norm_strips_numbering_labels_markup_and_spaces() -> None:
    assert norm("**Q3:** What is  RAG?") == norm("What is RAG") == "whatisrag"
    assert norm("问2：什么是 LoRA？") == "什么是lora"
    assert norm("1.2 为什么要除以根号d?") == "为什么要除以根号d"
    assert norm("<strong>第3题：</strong>讲讲 GQA") == "讲讲gqa"
    assert norm("💡 **什么是注意力**") == "什么是注意力"
    assert norm("Why scale by $\\sqrt{d_k}$?") == norm("Why scale by \\(\\sqrt{d_k}\\)?")


def test_matches_needs_most_of_the_longer_text() -> None:
    assert matches(norm("Q: What is RAG and why use it?"), norm("What is RAG and why use it"))
    assert not matches(norm("RAG"), norm("What is RAG and why use it?"))
    assert not matches(norm("What is RAG?"), norm("What is LoRA?"))


def _score(found: int, spurious: int) -> PageScore:
    return PageScore("g", "p", cards=5, min_pairs=5, max_pairs=5, expected=5, found=found,
                     spurious=[f"s{i}" for i in range(spurious)])


def test_regressions_catch_a_page_getting_worse() -> None:
    recorded = {"range_miss": 0, "found": 4, "spurious": 1, "not_question_cards": 0, "junk": 0, "samples_failed": 0}
    assert regressions(_score(4, 1), recorded) == []
    assert regressions(_score(3, 1), recorded) == ["found: 3 (recorded 4)"]
    assert regressions(_score(4, 2), recorded) == ["spurious: 2 (recorded 1)"]


def test_tightened_gaps_never_loosen_and_drop_fixed_pages() -> None:
    recorded = {"g/p": {"range_miss": 0, "found": 4, "spurious": 0, "not_question_cards": 0, "junk": 0,
                        "samples_failed": 0}}
    table, added = tightened_gaps([_score(3, 2)], recorded)
    assert table["g/p"]["found"] == 4 and table["g/p"]["spurious"] == 0 and added == []
    table, added = tightened_gaps([_score(5, 0)], recorded)
    assert table == {} and added == []
