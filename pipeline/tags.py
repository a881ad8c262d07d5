"""Tags and decks: taxonomy topics and concepts (zh/en aliases), sources, sections; Anki-safe tag text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.config import Rules, Topic

_TAG_UNSAFE = re.compile(r"[\s\u3000\"]+")


def safe_tag(text: str) -> str:
    """Anki tags may not contain ASCII space or U+3000; '::' keeps its meaning (hierarchy)."""
    return _TAG_UNSAFE.sub("_", text.strip()).strip("_")


def _alias_hit(alias: str, text: str) -> bool:
    if alias.isascii():
        return re.search(rf"(?<![A-Za-z0-9]){re.escape(alias)}(?![A-Za-z0-9])", text, re.I) is not None
    return alias.lower() in text.lower()


@dataclass(frozen=True)
class Classification:
    topic: Topic | None
    concepts: tuple[str, ...]


def classify(question: str, answer: str, topics: tuple[Topic, ...]) -> Classification:
    """Topics and concepts the question names (the answer is consulted only when the question names none)."""
    for text in (question, answer):
        hits = [(topic, concept.id) for topic in topics for concept in topic.concepts
                if any(_alias_hit(alias, text) for alias in concept.aliases)]
        specific = [h for h in hits if h[0].id != "architecture" or h[1] != "llm-basics"]
        chosen = specific or hits
        if chosen:
            return Classification(chosen[0][0], tuple(dict.fromkeys(c for _, c in chosen)))
    return Classification(None, ())


def card_tags(classification: Classification, sources: list[str], sections: list[str],
              extra: list[str]) -> tuple[str, ...]:
    tags: list[str] = []
    if classification.topic is not None:
        tags.append(f"topic::{safe_tag(classification.topic.id)}")
    tags += [f"concept::{safe_tag(c)}" for c in classification.concepts]
    tags += [f"source::{safe_tag(s)}" for s in sources]
    tags += [f"section::{safe_tag(s)}" for s in sections if s]
    tags += [safe_tag(t) for t in extra if t]
    return tuple(dict.fromkeys(t for t in tags if t))


def deck_for(classification: Classification, root: str, rules: Rules) -> str:
    """`<root>::<topic title>`; cards of no known topic go to the fallback subdeck."""
    title = classification.topic.title if classification.topic else rules.deck.fallback_topic
    return f"{root}::{title.replace('::', ':')}"
