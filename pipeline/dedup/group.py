"""Grouping: each question joins the card whose member it verifies against, found through blocking keys."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field

from pipeline.config import DedupRules
from pipeline.dedup.intent import canonical, specific
from pipeline.dedup.keys import Block, Key, blocks, concept_block, make_key
from pipeline.dedup.taxonomy import lexicon
from pipeline.dedup.verify import MergeRule, Verdict, overlap, same_page_ok, settings_clash, similarity, verify
from pipeline.models import Cluster, Member, QAItem


@dataclass(frozen=True)
class Related:
    """Two questions alike enough to show a reviewer, not merged."""

    a: str
    b: str
    score: int
    why_not: str


def item_keys(item: QAItem, rules: DedupRules) -> list[Key]:
    """The item's question, and its other-language question when the page is bilingual (twins share one card)."""
    keys = [make_key(item.question, item.lang, rules)]
    if item.alt_question:
        keys.append(make_key(item.alt_question, item.alt_lang, rules))
    return keys


_PARTIAL = frozenset({MergeRule.CONTAINED, MergeRule.SHARED})  # merges of questions that ask more than they share


@dataclass
class Index:
    """Clusters so far and the blocks that lead a new question to its candidates; bounded work per question."""

    rules: DedupRules
    members: list[list[Member]] = field(default_factory=list)
    keys: list[dict[str, Key]] = field(default_factory=list)  # per cluster: distinct reduced texts
    asks: list[frozenset[str]] = field(default_factory=list)  # per cluster: the specific intents its members ask
    pages: list[set[str]] = field(default_factory=list)  # per cluster: the sources of its members
    by_block: dict[Block, dict[int, None]] = field(default_factory=dict)
    near: dict[Block, list[tuple[int, Key]]] = field(default_factory=dict)
    related: dict[tuple[str, str], Related] = field(default_factory=dict)

    def add(self, slug: str, item: QAItem) -> None:
        keys = item_keys(item, self.rules)
        best = self._best(keys, slug)
        if best is None:
            index = len(self.members)
            self.members.append([Member(slug, item.id, MergeRule.FIRST.value, 100)])
            self.keys.append({})
            self.asks.append(frozenset())
            self.pages.append(set())
        else:
            index, verdict = best
            assert verdict.rule is not None
            self.members[index].append(Member(slug, item.id, verdict.rule.value, verdict.score))
        self.pages[index].add(slug)
        self._near_misses(keys, index, f"{slug}/{item.id}")
        lex = lexicon(self.rules)
        for key in keys:
            self.register(index, key)
            self.asks[index] |= specific(canonical(key.intents, lex.same_as), lex.open_intents)

    def _best(self, keys: list[Key], slug: str) -> tuple[int, Verdict] | None:
        """The cluster a key verifies against (the highest score); an open request ('explain X') joins a card
        of a specific ask, but a card comes to hold two specific asks (what-is and how-it-works), or a question
        whose asks merely contain another's, only when the question agrees with every member; a card that
        already holds a question of this page takes another only in the same words or the same whole ask."""
        best: tuple[int, Verdict] | None = None
        lex = lexicon(self.rules)
        for key in keys:
            tried: set[int] = set()
            ask = specific(canonical(key.intents, lex.same_as), lex.open_intents)
            for index in self._candidates(key):
                if index in tried:
                    continue
                tried.add(index)
                conflict = bool(ask and self.asks[index] and ask != self.asks[index])
                if key.setting and self._phase_clash(index, key):
                    continue
                same_page = self.rules.same_page_strict and slug in self.pages[index]
                for other in self.keys[index].values():
                    verdict = verify(key, other, self.rules)
                    if not verdict.same or (same_page and not same_page_ok(key, other)):
                        continue
                    if verdict.rule is not MergeRule.EXACT and (conflict or verdict.rule in _PARTIAL) \
                            and not self._agrees_with_all(index, key):
                        continue
                    if best is None or (verdict.score, len(self.pages[index])) > \
                            (best[1].score, len(self.pages[best[0]])):  # a tie goes to the card more pages share
                        best = (index, verdict)
                        if verdict.rule is MergeRule.EXACT:
                            return best
        return best

    def _candidates(self, key: Key) -> Iterator[int]:
        """The clusters a key is verified against: those sharing a block (the first `max_block` of each)."""
        for block in blocks(key):
            yield from list(self.by_block.get(block, {}))[: self.rules.max_block]

    def _phase_clash(self, index: int, key: Key) -> bool:
        """Whether a member of the card is set in another phase than the key ('during training' / 'during
        inference'), so a broad question on the card never bridges two phases."""
        lex = lexicon(self.rules)
        return any(settings_clash(key, other, lex.taxonomy.ancestors, lex.phases)
                   for other in self.keys[index].values())

    def _agrees_with_all(self, index: int, key: Key) -> bool:
        """Whether the key verifies against every member of the card (a card of two specific asks, or one joined
        because its asks contain the other's, takes a question only when all its members agree); two questions
        that each ask several things agree when they share an ask."""
        others = self.keys[index].values()
        return len(others) <= self.rules.max_block and all(
            verify(key, other, self.rules).same or overlap(key, other, self.rules) for other in others)

    def register(self, index: int, key: Key) -> None:
        """File a member's key under its cluster and blocks."""
        if key.text in self.keys[index]:
            return
        self.keys[index][key.text] = key
        for block in blocks(key):
            bucket = self.by_block.setdefault(block, {})
            if len(bucket) < self.rules.max_block:
                bucket[index] = None
        near = concept_block(key)
        if near is not None:
            bucket_near = self.near.setdefault(near, [])
            if len(bucket_near) < self.rules.max_block:
                bucket_near.append((index, key))

    def _near_misses(self, keys: list[Key], index: int, ref: str) -> None:
        """The few closest questions of the same concepts kept apart (same language), for a reviewer."""
        scored: list[tuple[int, int, Key, Key]] = []
        for key in keys:
            near = concept_block(key)
            for other_index, other in self.near.get(near, []) if near is not None else []:
                if other_index != index and other.lang == key.lang:
                    score = similarity(key, other)
                    if score >= self.rules.related_threshold:
                        scored.append((score, other_index, key, other))
        for score, other_index, key, other in heapq.nlargest(self.rules.related_per_question, scored,
                                                             key=lambda s: (s[0], -s[1])):
            rep = self.members[other_index][0]
            pair = (f"{rep.source}/{rep.item_id}", ref)
            if pair not in self.related:
                self.related[pair] = Related(*pair, score, str(verify(key, other, self.rules).why_not))

    def clusters(self) -> list[Cluster]:
        return [Cluster(tuple(members)) for members in self.members]
