"""The rules deckmill runs on, as typed frozen records (loaded and validated by pipeline.config)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """A named pattern; `origin` is file:line for reports."""

    name: str
    regex: re.Pattern[str]
    origin: str
    max_chars: int = 0

    def matches(self, text: str) -> bool:
        if self.max_chars and len(text) > self.max_chars:
            return False
        return bool(self.regex.search(text))


@dataclass(frozen=True)
class SelectorRule:
    """A named CSS selector for HTML chrome."""

    name: str
    selector: str
    origin: str


@dataclass(frozen=True)
class PdfTraceRules:
    """Traces a PDF export leaves in a page's text (junk.yaml `pdf_export`)."""

    page_number: re.Pattern[str]
    min_run: int
    min_chars_between: int
    hyphen_break: re.Pattern[str]
    suspended_before: frozenset[str]


@dataclass(frozen=True)
class JunkRules:
    html_drop: tuple[SelectorRule, ...]
    drop_block: tuple[Rule, ...]
    end_of_content: tuple[Rule, ...]
    drop_span: tuple[Rule, ...]
    pdf_export: PdfTraceRules


@dataclass(frozen=True)
class SignatureSettings:
    """Thresholds of structure inference (structure.yaml `signature`)."""

    min_questions: int
    answered_weight: float
    numbering_weight: float
    body_over_heading: float
    statement_share: float


@dataclass(frozen=True)
class PostscriptSettings:
    """How much text after a page's last thematic break can be a postscript (structure.yaml `postscript`)."""

    max_blocks: int
    max_chars: int


@dataclass(frozen=True)
class SelfCheckSettings:
    """Thresholds and patterns of the structural self-checks (structure.yaml `self_checks`)."""

    promise: re.Pattern[str]
    promise_ratio: float
    question_markup: re.Pattern[str]
    answer_questions_min: int
    answer_questions_share: float


@dataclass(frozen=True)
class StructureRules:
    numbering: tuple[Rule, ...]
    answer_point_numbering: frozenset[str]
    question_numbering: frozenset[str]
    section_numbering: frozenset[str]
    question_markers: tuple[re.Pattern[str], ...]
    section_patterns: tuple[re.Pattern[str], ...]
    answer_labels: tuple[re.Pattern[str], ...]
    question_words_zh: tuple[str, ...]
    question_words_zh_topic: tuple[str, ...]
    question_words_en: tuple[str, ...]
    interrogatives: tuple[str, ...]
    question_final_words: tuple[str, ...]
    question_continuations: tuple[str, ...]
    question_followups: tuple[str, ...]
    continuation_max_chars: int
    bullets: tuple[str, ...]
    non_question_sections: re.Pattern[str]
    number_only: re.Pattern[str]
    bare_number: re.Pattern[str]
    bare_number_run: int
    plain_section_max_words: int
    outline_number: re.Pattern[str]
    toc_label: re.Pattern[str]
    list_announcers: tuple[str, ...]
    link_words: tuple[str, ...]
    named_links_min_items: int
    named_link_max_chars: int
    faq_question: re.Pattern[str]
    faq_answer: re.Pattern[str]
    max_question_chars: int
    max_heading_question_chars: int
    signature: SignatureSettings
    answer_reveal: re.Pattern[str]
    self_checks: SelfCheckSettings
    postscript: PostscriptSettings
    reference_label: re.Pattern[str]
    question_sections: re.Pattern[str]
    answer_part_headings: re.Pattern[str]
    not_statement_questions: re.Pattern[str]
    closing_sections: re.Pattern[str]
    arrow_answer: re.Pattern[str]
    choice_option: re.Pattern[str]
    answer_placeholder: re.Pattern[str]


@dataclass(frozen=True)
class DamageRule:
    name: str
    reason: str
    regex: re.Pattern[str] | None
    dangling_colon: bool = False
    cut_off: bool = False
    self_check: bool = False  # the reason of a structural self-check (models.Check), found by pipeline.selfcheck


@dataclass(frozen=True)
class Intent:
    """What a question asks about its concepts; a higher level absorbs lower ones (definition < list < others)."""

    name: str
    words: tuple[str, ...]
    level: int = 2
    keep_parents: bool = False  # a question of this intent names a concept and its parent on purpose (compare)
    open_up_to: int = -1  # an open request ('explain X') agrees with any intent up to this level (-1: not open)
    means: tuple[str, ...] = ()  # the intents this one stands for ('优缺点' = advantages + disadvantages)
    same_as: str = ""  # the intent this one asks the same as ('why X' of a technique asks what X is for)
    shared: bool = False  # one such ask of the same concepts in two questions makes them one card (a comparison)
    lead_in: bool = False  # a clause asking only this and ending in a comma leads into the next ('与X相比，Y的优点')
    covers: tuple[str, ...] = ()  # an open request also agrees with these intents, beyond its level ('是怎么回事')
    in_comparison: str = ""  # asked beside a comparison, this asks that ('why B rather than A' asks B's advantages)


@dataclass(frozen=True)
class Combination:
    """Intents asked together that mean another ('why' + 'use' = purpose)."""

    all: tuple[str, ...]
    gives: str


@dataclass(frozen=True)
class Siblings:
    """A question naming alternatives together (concepts of one parent) with one of `asked` intents asks `ask`."""

    ask: str = ""
    asked: tuple[str, ...] = ()


@dataclass(frozen=True)
class Concept:
    """A specific idea with its aliases; a child absorbs its parent; a generic concept yields to any other."""

    id: str
    aliases: tuple[str, ...]
    parent: str = ""
    generic: bool = False
    parent_when: tuple[str, ...] = ()  # asked with one of these intents, it is its parent (computing attention scores)
    kind: str = ""  # what sort of thing it is ('model'), inherited by its children: things of one kind are alternatives


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    concepts: tuple[Concept, ...]


@dataclass(frozen=True)
class DedupRules:
    filler: tuple[str, ...]
    intents: tuple[Intent, ...]
    threshold: int
    related_threshold: int
    taxonomy: tuple[Topic, ...] = ()
    related_per_question: int = 3
    max_block: int = 64
    same_page_strict: bool = True
    combine: tuple[Combination, ...] = ()
    siblings: Siblings = Siblings()
    scope: tuple[str, ...] = ()  # phrases after which the rest of the clause is scope ('in the context of X')
    frames: tuple[re.Pattern[str], ...] = ()  # spans that say when, not what ('在计算softmax之前')
    examples: tuple[str, ...] = ()  # markers opening a clause that lists what the clause before asks ('例如 A, B')
    phases: tuple[str, ...] = ()  # concepts and intents naming phases that exclude each other (training, inference)
    negation: tuple[str, ...] = ()  # leftover words (CJK: characters) that turn a question into its negation
    opposites: tuple[tuple[str, str], ...] = ()  # leftover words of opposite sense ('入'/'出', 'input'/'output')
    directions: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (direction, its words): '过大' up, '过小' down
    relative: tuple[str, ...] = ()  # directions told from a setting's moment ('之前', '之后')
    rewrites: tuple[Rewrite, ...] = ()  # applied to the normalized question first ('能不能' reads as '能')
    prefer: tuple[str, ...] = ()  # words choosing what comes before them over what follows ('A rather than B')


@dataclass(frozen=True)
class DeckSettings:
    deck_name: str
    fallback_topic: str
    note_type_name: str
    note_type_id: int
    include_unanswered: bool = False


@dataclass(frozen=True)
class Rewrite:
    name: str
    pattern: re.Pattern[str]
    replace: str


@dataclass(frozen=True)
class FetchRules:
    """How `deckmill add URL` fetches (rules/fetch.yaml, or `fetch:` in deckmill.yaml)."""

    timeout: int
    max_bytes: int
    max_redirects: int
    user_agent: str
    content_types: tuple[str, ...]
    rewrites: tuple[Rewrite, ...]
    script_only_chars: int
    script_only_markers: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    """All policy deckmill runs on."""

    junk: JunkRules
    structure: StructureRules
    damage: tuple[DamageRule, ...]
    dedup: DedupRules
    taxonomy: tuple[Topic, ...]
    deck: DeckSettings
    fetch: FetchRules
    fingerprint: str = ""
