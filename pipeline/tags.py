"""Tags and decks: taxonomy topics and concepts (zh/en aliases), sources, sections; Anki-safe tag text."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Rules, Topic
from pipeline.dedup.taxonomy import Role, concepts_only, normalize
from pipeline.yamlio import write_text

_TAG_UNSAFE = re.compile(r"[\s\u3000\"]+")


def safe_tag(text: str) -> str:
    """Anki tags may not contain ASCII space or U+3000; '::' keeps its meaning (hierarchy)."""
    return _TAG_UNSAFE.sub("_", text.strip()).strip("_")


@dataclass(frozen=True)
class Classification:
    topic: Topic | None
    concepts: tuple[str, ...]


def classify(question: str, answer: str, topics: tuple[Topic, ...]) -> Classification:
    """Topics and concepts the question names, with their parents (the answer is consulted only when the question
    names none); the topic is that of the first named concept in taxonomy order, generic ones last."""
    taxonomy, trie = concepts_only(topics)
    for text in (question, answer):
        named = {hit.value for hit in trie.scan(normalize(text)) if hit.role is Role.CONCEPT}
        if named:
            first = taxonomy.ordered(taxonomy.specific(named))[0]
            concepts = taxonomy.ordered(named | {a for c in named for a in taxonomy.ancestors(c)})
            return Classification(taxonomy.topic_of[first], tuple(concepts))
    return Classification(None, ())


@dataclass
class ClassifyMemo:
    """Classifications remembered between builds (a pure function of the text and the taxonomy), keyed by a digest
    of the text, so an unchanged card is not scanned again; a file from other rules or code is ignored."""

    topics: tuple[Topic, ...]
    version: str
    known: dict[str, list[str]] = field(default_factory=dict)  # digest -> [topic id or "", *concepts]
    used: dict[str, list[str]] = field(default_factory=dict)
    by_id: dict[str, Topic] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {t.id: t for t in self.topics}

    @classmethod
    def load(cls, path: Path, topics: tuple[Topic, ...], version: str) -> ClassifyMemo:
        memo = cls(topics, version)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return memo
        if isinstance(data, dict) and data.get("version") == version and isinstance(data.get("tags"), dict):
            memo.known = data["tags"]
        return memo

    def classify(self, question: str, answer: str) -> Classification:
        key = hashlib.sha1(f"{question}\0{answer}".encode()).hexdigest()[:20]
        hit = self.known.get(key)
        if not (isinstance(hit, list) and hit and all(isinstance(part, str) for part in hit)):  # none, or damaged
            found = classify(question, answer, self.topics)
            hit = [found.topic.id if found.topic else "", *found.concepts]
        self.used[key] = hit
        return Classification(self.by_id.get(hit[0]), tuple(hit[1:]))

    def save(self, path: Path) -> None:
        """Keep what this build used, for the next build (unwritten when it is what was read)."""
        if self.used != self.known:
            write_text(path, json.dumps({"version": self.version, "tags": dict(sorted(self.used.items()))},
                                        ensure_ascii=False))


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
