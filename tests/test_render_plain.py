"""A plain one-line text renders, by its shortcut, exactly as Markdown rendering and sanitizing render it."""

from __future__ import annotations

import random

import yaml

from pipeline.render import _PLAIN_LINE, markdown_html, render_markdown
from tests.conftest import GOLDEN

ALPHABET = [*"aZ09 ,.?!:;()，。？！、：；（）-注意力机制", "  ", "LoRA", "什么是", " - ", "1.", "a)", "(b)"]
NOT_PLAIN = ["1. What is LoRA?", "- item", "# Title", "    indented code", "a *b*", "a_b_ c", "x <b>y</b>", "a & b",
             "see [x](y)", "![i](a.png)", "\\(x^2\\)", "$x$", "a `b`", "a\nb", " lead", "trail ", "a~~b~~", "a | b",
             "“引号”", "a\u00a0b", "a\tb"]


def test_random_plain_lines_render_as_markdown_renders_them() -> None:
    rng = random.Random(3)
    plain = 0
    for _ in range(3000):
        text = rng.choice("aQ注x") + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))
        if _PLAIN_LINE.fullmatch(text):
            plain += 1
            assert markdown_html(text) == render_markdown(text) == f"<p>{text}</p>", repr(text)
    assert plain > 1000


def test_markup_of_any_kind_is_not_plain() -> None:
    assert [t for t in NOT_PLAIN if _PLAIN_LINE.fullmatch(t)] == []
    assert render_markdown("1. What is LoRA?") != "<p>1. What is LoRA?</p>"  # why a leading digit is excluded


def test_every_golden_question_and_answer_renders_the_same_by_either_path() -> None:
    ledger = yaml.safe_load((GOLDEN / "ledger.yaml").read_text(encoding="utf-8"))
    texts = {v for card in ledger["cards"].values() for k, v in card.items()
             if k in ("question", "answer", "alt_question", "alt_answer") and isinstance(v, str) and v.strip()}
    plain = [t for t in texts if _PLAIN_LINE.fullmatch(t)]
    assert len(texts) > 50 and plain
    assert [t for t in plain if render_markdown(t) != f"<p>{t}</p>"] == []
