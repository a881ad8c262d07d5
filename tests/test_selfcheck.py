"""Self-checks: each structural finding on an invented page, and how it reaches the items and the cards."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Rules
from pipeline.models import Block, Check
from pipeline.selfcheck import Asked, check_page, promised
from tests.conftest import extract_file


def _asked(question: str, number: str = "", answer: tuple[Block, ...] = (), line: int = 1,
           block: Block | None = None) -> Asked:
    return Asked(question, number, "arabic-enum" if number else "", "", line,
                 block or Block("item", f"{number}. {question}" if number else question), answer)


def test_numbering_gap_and_restart(rules: Rules) -> None:
    asked = [_asked("What is A?", "1", line=1), _asked("What is B?", "2", line=3), _asked("What is D?", "4", line=5),
             _asked("What is E?", "2", line=7)]
    found = [(f.check, f.question, f.detail) for f in check_page(asked, "", rules)]
    assert found == [(Check.NUMBERING_GAP, "What is B?", "2 is followed by 4: 3 missing"),
                     (Check.NUMBERING_RESTART, "What is E?", "4 is followed by 2")]


def test_answer_holding_questions_of_the_same_signature(rules: Rules) -> None:
    question = Block("heading", "Q1: What is attention?", level=3)
    answer = (Block("para", "Weights over positions."), Block("heading", "Q2: Why scale the scores?", level=3))
    found = check_page([_asked("What is attention?", answer=answer, block=question)], "", rules)
    assert [(f.check, f.line) for f in found] == [(Check.ANSWER_HOLDS_QUESTIONS, 0)]
    assert found[0].detail == "Q2: Why scale the scores?"


def test_markup_label_and_answer_made_of_questions(rules: Rules) -> None:
    container = (Block("item", "What is LoRA?"), Block("item", "What is QLoRA?"), Block("item", "Why PEFT?"))
    found = {f.check for f in check_page([_asked("💡 **Fine-tuning**", answer=container), _asked("Answer")], "",
                                         rules)}
    assert found == {Check.MARKUP_IN_QUESTION, Check.ANSWER_OF_QUESTIONS, Check.LABEL_ONLY_QUESTION}


def test_title_promising_more_questions(rules: Rules) -> None:
    assert promised("大模型面试100道题", rules) == 100
    assert promised("Top 50 LLM Interview Questions", rules) == 50
    assert promised("Attention basics", rules) == 0
    found = check_page([_asked("What is A?")], "Top 50 LLM Interview Questions", rules)
    assert [(f.check, f.detail) for f in found] == [(Check.FEWER_THAN_PROMISED,
                                                     "the title promises 50 questions; 1 found")]


def test_findings_reach_items_as_review_flags(rules: Rules, tmp_path: Path) -> None:
    page = tmp_path / "gappy.md"
    page.write_text("# 10 Interview Questions\n\n## 1. What is A?\n\nA is a letter.\n\n## 2. What is B?\n\n"
                    "B follows A.\n\n## 4. What is D?\n\nD follows C.\n", encoding="utf-8")
    source = extract_file(page, rules)
    assert [i.question for i in source.items] == ["What is A?", "What is B?", "What is D?"]
    assert "damaged:numbering-gap" in source.items[1].flags
    assert not any(f.startswith("damaged:") for f in source.items[0].flags + source.items[2].flags)
    assert {f.check for f in source.findings} == {Check.NUMBERING_GAP, Check.FEWER_THAN_PROMISED}
