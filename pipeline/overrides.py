"""A person's decisions, keyed by stable card id: corrections, never-emit, and merge / keep-apart choices."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.dedup.verify import MergeRule
from pipeline.models import Cluster, Member
from pipeline.yamlcheck import Checker
from pipeline.yamlio import read_yaml

CORRECTABLE = ("question", "answer", "alt_question", "alt_answer")
KEYS = ("never_emit", "corrections", "merge", "keep_apart", "primary")


@dataclass(frozen=True)
class Overrides:
    """Decisions that survive every rebuild (decks/overrides.yaml)."""

    never_emit: frozenset[str] = frozenset()
    corrections: dict[str, dict[str, str]] = field(default_factory=dict)
    merge: tuple[tuple[str, ...], ...] = ()
    keep_apart: tuple[tuple[str, ...], ...] = ()
    primary: dict[str, str] = field(default_factory=dict)  # card id -> "source/item-id" the card must show


def _groups(check: Checker, data: dict[str, Any], key: str) -> tuple[tuple[str, ...], ...]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise check.fail([key], f"{key} must be a list of lists of two or more card ids")
    for index, group in enumerate(value):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(c, str) for c in group):
            raise check.fail([key, index], f"{key} must be a list of lists of two or more card ids")
    return tuple(tuple(group) for group in value)


def load_overrides(path: Path) -> Overrides:
    """Read and validate the overrides file; every problem is a ConfigError naming file and line."""
    if not path.exists():
        return Overrides()
    check = Checker(path)
    data = check.mapping(read_yaml(path), [], "overrides")
    check.only(data, [], KEYS)
    never = check.strings(data, [], "never_emit")
    corrections = check.mapping(data.get("corrections"), ["corrections"], "corrections (card id -> fields)")
    fixes: dict[str, dict[str, str]] = {}
    for card_id, fix in corrections.items():
        where: list[str | int] = ["corrections", card_id]
        fix = check.mapping(fix, where, f"the correction for {card_id}")
        check.only(fix, where, CORRECTABLE)
        fixes[str(card_id)] = {k: check.get(fix, where, k, str) for k in fix}
    primary = check.mapping(data.get("primary"), ["primary"], "primary (card id -> source/item-id)")
    chosen: dict[str, str] = {}
    for card_id, member in primary.items():
        if not isinstance(member, str) or "/" not in member:
            raise check.fail(["primary", card_id], f"primary for {card_id} must be 'source/item-id', not {member!r}")
        chosen[str(card_id)] = member
    return Overrides(frozenset(never), fixes, _groups(check, data, "merge"), _groups(check, data, "keep_apart"),
                     chosen)


def apply_decisions(clusters: list[Cluster], overrides: Overrides,
                    members_of: dict[str, set[str]]) -> list[Cluster]:
    """Merge the clusters of cards the person says are one; split those they say are different.

    `members_of` maps a card id to the item keys ("source/item") the ledger has seen in it.
    """
    def key(member: Member) -> str:
        return f"{member.source}/{member.item_id}"

    out = list(clusters)
    for group in overrides.keep_apart:
        for first, second in itertools.pairwise(group):
            theirs = members_of.get(second, set()) - members_of.get(first, set())
            for index, cluster in enumerate(out):
                moved = [m for m in cluster.members if key(m) in theirs]
                kept = [m for m in cluster.members if key(m) not in theirs]
                if moved and kept:
                    out[index] = Cluster(tuple(kept))
                    out.insert(index + 1, Cluster(tuple(Member(m.source, m.item_id, MergeRule.KEPT_APART.value, 0)
                                                        for m in moved)))
                    break
    for group in overrides.merge:
        owners = [next((i for i, c in enumerate(out) if any(key(m) in members_of.get(card, set())
                                                               for m in c.members)), None) for card in group]
        found = list(dict.fromkeys(i for i in owners if i is not None))
        if len(found) < 2:
            continue
        target = found[0]
        extra = [Member(m.source, m.item_id, MergeRule.BY_PERSON.value, 100) for i in found[1:] for m in out[i].members]
        out[target] = Cluster(out[target].members + tuple(extra))
        out = [c for i, c in enumerate(out) if i not in found[1:]]
    return out
