"""Question signatures: the ways a page could mark its questions, each scored over the whole page."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from enum import Enum, StrEnum
from itertools import pairwise

from pipeline.clean import is_question_block
from pipeline.config import Rules
from pipeline.models import Block
from pipeline.questions import is_question_text, numbering, strip_markup

_LEAD_SYMBOLS = re.compile(r"^[^\w\s$\\(（\[【]+\s*")


class Role(StrEnum):
    """What a block is on its page, once the structure is inferred."""

    QUESTION = "question"
    CONTENT = "content"  # part of an answer (or of the preamble, before the first question)
    SECTION = "section"
    REFSECTION = "refsection"  # a section that never holds questions (references, TOC)
    TITLE = "title"
    QNUMBER = "qnumber"  # only a question's number; the next block is the question
    TOC = "toc"  # the label or an entry of a table of contents copied with the page as text
    LABEL = "label"  # a question card's own title, printed above its "Question" label line
    REVEAL = "reveal"  # only the label of a button that revealed the answer ("Show answer"), copied with the page


class Carrier(Enum):
    """The kind of block a signature's questions sit in."""

    HEADING = "heading"
    PARA = "para"
    ITEM = "item"
    QUOTE = "quote"  # a one-line quote ("> 1、…？") over its answer
    QA = "qa"


@dataclass(frozen=True)
class Signature:
    """One way of marking questions: the carrier, its heading level, its numbering style or marker."""

    carrier: Carrier
    level: int = 0
    style: str = ""

    def describe(self) -> str:
        where = f"h{self.level} headings" if self.carrier is Carrier.HEADING else f"{self.carrier.value} blocks"
        return f"{where}{f' ({self.style})' if self.style else ''}"


@dataclass(frozen=True)
class Scored:
    """A signature with its figures over the page."""

    signature: Signature
    members: int
    questions: int
    answered: float
    regular: float
    score: float


def is_reveal_label(text: str, rules: Rules) -> bool:
    """A line that only reveals an answer ("💡 Show Answer", "答案"), never a question."""
    body = _LEAD_SYMBOLS.sub("", strip_markup(strip_markup(text))).strip().rstrip(":：")
    return bool(rules.structure.answer_reveal.match(body))


def signature_of(block: Block, rules: Rules) -> tuple[Signature, bool] | None:
    """The signature a block would belong to, and whether it reads as a question; None for other blocks."""
    text = strip_markup(block.text)
    if block.kind == "qa":
        return Signature(Carrier.QA), not is_reveal_label(block.text, rules)
    found = numbering(text, rules.structure)
    if block.kind == "heading":
        style = found.style if found else ""
        return Signature(Carrier.HEADING, block.level), is_question_text(found.rest if found else text,
                                                                         rules.structure)
    if block.kind in ("para", "item", "quote") and is_question_block(block, rules):
        style = found.style if found else "marker"
        return Signature(Carrier(block.kind), 0, style), True
    return None


def _regularity(numbers: list[int]) -> float:
    """Share of steps where the printed number goes up by one (a restart at 1 counts as regular)."""
    if len(numbers) < 2:
        return 0.0
    steps = list(pairwise(numbers))
    return sum(1 for a, b in steps if b == a + 1 or b == 1) / len(steps)


def score_signatures(blocks: list[Block], rules: Rules) -> list[Scored]:
    """Every candidate signature on the page, best first."""
    settings = rules.structure.signature
    members: dict[Signature, list[int]] = defaultdict(list)
    questions: dict[Signature, int] = defaultdict(int)
    for index, block in enumerate(blocks):
        found = signature_of(block, rules)
        if found is None:
            continue
        members[found[0]].append(index)
        questions[found[0]] += found[1]
    scored = []
    for sig, indexes in members.items():
        mine = set(indexes)
        answered = sum(1 for i in indexes if i + 1 < len(blocks) and i + 1 not in mine and
                       not (blocks[i + 1].kind == "heading" and blocks[i + 1].level <= (sig.level or 9)))
        numbers = [int(n.num) for i in indexes
                   if (n := numbering(strip_markup(blocks[i].text), rules.structure)) and n.num.isdigit()]
        share = answered / len(indexes)
        regular = _regularity(numbers)
        answered_factor = 1 - settings.answered_weight + settings.answered_weight * share
        score = questions[sig] * answered_factor * (1 + settings.numbering_weight * regular)
        scored.append(Scored(sig, len(indexes), questions[sig], share, regular, score))
    scored.sort(key=lambda s: -s.score)
    return scored


def body_outscores_headings(scored: list[Scored], level: int, rules: Rules) -> bool:
    """Do paragraph/list-item questions beat the question headings of `level` on this page?"""
    heading = next((s.score for s in scored if s.signature == Signature(Carrier.HEADING, level)), 0.0)
    body = max((s.score for s in scored if s.signature.carrier in (Carrier.PARA, Carrier.ITEM, Carrier.QUOTE)
                and s.questions >= rules.structure.signature.min_questions), default=0.0)
    return body > 0 and body >= rules.structure.signature.body_over_heading * heading
