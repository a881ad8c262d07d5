"""Typed, frozen records passed between the stages (no dicts, no parser objects)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

BlockKind = Literal["heading", "para", "item", "code", "table", "quote", "qa"]


@dataclass(frozen=True)
class SourceMeta:
    """What a `raw/<slug>.meta.yaml` sidecar says about a page."""

    title: str = ""
    url: str = ""
    lang: str = ""
    license: str = ""
    deck: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class RawPage:
    """A decoded raw page and how it was read."""

    slug: str
    filename: str
    text: str
    fmt: Literal["txt", "md", "html"]
    encoding: str
    meta: SourceMeta


@dataclass(frozen=True)
class Block:
    """One structural unit of a cleaned page.

    kind "qa" is a structured question/answer pair found by the parser (details/summary, FAQ tables,
    definition lists): `text` is the question and `answer` its answer.
    """

    kind: BlockKind
    text: str
    level: int = 0
    lang: str = ""
    line: int = 0
    answer: str = ""


@dataclass(frozen=True)
class Removal:
    """A span removed while cleaning, with the rule that removed it."""

    rule: str
    text: str
    line: int


@dataclass(frozen=True)
class Repair:
    """A repair applied while cleaning."""

    rule: str
    before: str
    after: str
    line: int


@dataclass(frozen=True)
class CleanPage:
    """A page reduced to structured blocks, with every removal and repair recorded."""

    slug: str
    filename: str
    fmt: str
    encoding: str
    meta: SourceMeta
    lines_in: int
    blocks: tuple[Block, ...]
    removals: tuple[Removal, ...] = ()
    repairs: tuple[Repair, ...] = ()


class ItemFlag(StrEnum):
    """What extraction says about one item (damage flags are `DAMAGED` + the damage rule's name)."""

    NO_ANSWER = "no-answer"
    LINK_ONLY = "link-only"
    DAMAGED = "damaged:"

    @staticmethod
    def damaged(rule: str) -> str:
        return f"{ItemFlag.DAMAGED.value}{rule}"


@dataclass(frozen=True)
class QAItem:
    """One question found in a source, with its answer (Markdown, may be empty)."""

    id: str
    question: str
    answer: str
    section: str
    lang: str
    number: str = ""
    alt_lang: str = ""
    alt_question: str = ""
    alt_answer: str = ""
    flags: tuple[str, ...] = ()
    line: int = 0

    @property
    def answered(self) -> bool:
        return bool(self.answer.strip() or self.alt_answer.strip())


class Check(StrEnum):
    """Self-checks that catch a wrong parse (each has a reason in damage.yaml, shown on needs-review cards)."""

    NUMBERING_GAP = "numbering-gap"
    NUMBERING_RESTART = "numbering-restart"
    ANSWER_HOLDS_QUESTIONS = "answer-holds-questions"
    MARKUP_IN_QUESTION = "markup-in-question"
    LABEL_ONLY_QUESTION = "label-only-question"
    ANSWER_OF_QUESTIONS = "answer-of-questions"
    FEWER_THAN_PROMISED = "fewer-than-promised"


@dataclass(frozen=True)
class Finding:
    """A self-check that failed on a page: which, where, what it saw, and the question it concerns (if one)."""

    check: Check
    line: int
    detail: str
    question: str = ""


@dataclass(frozen=True)
class SourceItems:
    """Everything extracted from one source."""

    slug: str
    filename: str
    meta: SourceMeta
    encoding: str
    fmt: str
    lines_in: int
    junk_removed: int
    items: tuple[QAItem, ...]
    dropped: tuple[Removal, ...] = ()
    repairs: tuple[Repair, ...] = ()
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Member:
    """One source item inside a merged card."""

    source: str
    item_id: str
    reason: str = "first"
    score: int = 100


@dataclass(frozen=True)
class Cluster:
    """The same question asked in one or more places; the first member is the representative."""

    members: tuple[Member, ...]

    @property
    def key(self) -> str:
        return f"{self.members[0].source}/{self.members[0].item_id}"


@dataclass(frozen=True)
class CardContent:
    """What a learner studies on one card, before identity and rendering."""

    question: str
    answer: str
    alt_question: str = ""
    alt_answer: str = ""
    other_answers: tuple[str, ...] = ()
    also_asked: tuple[str, ...] = ()
    lang: str = ""
    alt_lang: str = ""


@dataclass(frozen=True)
class SourceRef:
    """Provenance of a card: one source page."""

    slug: str
    filename: str
    title: str
    url: str


class CardStatus(StrEnum):
    """What a build does to one card's note in Anki."""

    NEW = "new"  # first published in this build
    CHANGED = "changed"  # studied content changed: the note updates
    REVIVED = "revived"  # was retired, is back: the note updates and loses the retired tag
    UNCHANGED = "unchanged"  # same studied content: the note is left alone
    RETIRED = "retired"  # stopped being emitted in this build: tagged retired, updated once
    STILL_RETIRED = "still-retired"  # retired earlier; emitted as last published


@dataclass(frozen=True)
class Card:
    """A card ready to render: content, identity, tags, deck."""

    card_id: str
    guid: str
    note_id: int
    mod: int
    position: int
    content: CardContent
    sources: tuple[SourceRef, ...]
    members: tuple[Member, ...]
    tags: tuple[str, ...]
    deck: str
    review_reasons: tuple[str, ...] = ()
    status: CardStatus = CardStatus.UNCHANGED
    carried_from: str = ""

    @property
    def retired(self) -> bool:
        return self.status in (CardStatus.RETIRED, CardStatus.STILL_RETIRED)
