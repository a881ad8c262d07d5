"""Structure inference on invented pages: the question signature that wins, and what it delimits."""

from __future__ import annotations

from pipeline.clean import clean_page
from pipeline.config import Rules
from pipeline.extract import extract
from pipeline.models import Block, SourceItems
from pipeline.signature import Carrier, Signature, is_reveal_label, score_signatures
from pipeline.sources import load_page
from tests.conftest import FIXTURES


def _extract(name: str, rules: Rules) -> SourceItems:
    return extract(clean_page(load_page(FIXTURES / name), rules), rules)


def test_bold_numbered_paragraphs_beat_a_stray_question_heading(rules: Rules) -> None:
    source = _extract("signature-bold-q-paragraphs.md", rules)
    assert [i.question for i in source.items] == [
        "注意力机制为什么要除以根号d？",  # the link keeps its text and loses its URL (and the "?" inside it)
        "如果只改最少的参数让模型忘掉一条知识，应该改注意力层还是前馈层。",  # "Q2：" makes it a question
        "KV Cache 为什么只存 K 和 V？",
    ]
    first, second, third = source.items
    assert first.answer == "点积的方差随维度增大，缩放后 softmax 不会饱和。"
    assert second.answer.startswith("前馈层更像键值记忆") and "用约束解码" in second.answer
    assert third.answer == "![kv](https://example.org/kv.png)" and "link-only" not in third.flags


def test_toc_entries_reveal_labels_and_explicit_styles_across_levels(rules: Rules) -> None:
    source = _extract("signature-toc-and-levels.md", rules)
    assert [i.question for i in source.items] == [
        "What is dropout?", "Why normalize inputs?", "What is a residual connection?"]
    residual = source.items[2]
    assert "A skip path" in residual.answer and "It lets gradients flow" in residual.answer
    assert "Show Answer" not in residual.answer
    assert source.items[0].answer.startswith("Randomly zeroing")


def test_numbered_items_with_a_question_marker(rules: Rules) -> None:
    source = _extract("signature-numbered-marker-items.md", rules)
    assert [(i.question, i.answer) for i in source.items] == [
        ("Explain layer norm.", "Normalise over the features of one token."),
        ("Explain weight decay.", "An L2 penalty applied by the optimiser.")]


def test_scores_rank_answered_regular_signatures_first(rules: Rules) -> None:
    toc = [Block("item", f"{n}. What is topic {n}?") for n in range(1, 6)]
    body = [b for n in range(1, 4) for b in (Block("heading", f"What is part {n}?", level=3),
                                              Block("para", f"Part {n} is explained here."))]
    scored = score_signatures(toc + body, rules)
    assert scored[0].signature == Signature(Carrier.HEADING, 3)
    assert scored[0].answered == 1.0 and scored[1].answered == 0.0


def test_reveal_labels(rules: Rules) -> None:
    assert is_reveal_label("**💡 Show Answer**", rules)
    assert is_reveal_label("答案", rules)
    assert not is_reveal_label("What is the answer to overfitting?", rules)
