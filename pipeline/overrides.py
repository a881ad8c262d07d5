"""A person's decisions, keyed by stable card id: corrections, never-emit, and merge / keep-apart choices."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.models import Cluster, Member
from pipeline.yamlio import line_of, read_yaml

CORRECTABLE = ("question", "answer", "alt_question", "alt_answer")
KEYS = ("never_emit", "corrections", "merge", "keep_apart")


@dataclass(frozen=True)
class Overrides:
    """Decisions that survive every rebuild (decks/overrides.yaml)."""

    never_emit: frozenset[str] = frozenset()
    corrections: dict[str, dict[str, str]] = field(default_factory=dict)
    merge: tuple[tuple[str, ...], ...] = ()
    keep_apart: tuple[tuple[str, ...], ...] = ()


def _groups(path: Path, data: dict[str, object], key: str) -> tuple[tuple[str, ...], ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(g, list) and len(g) >= 2 for g in value):
        raise ConfigError(str(path), line_of(path, key), f"{key} must be a list of lists of two or more card ids")
    return tuple(tuple(str(c) for c in group) for group in value)


def load_overrides(path: Path) -> Overrides:
    if not path.exists():
        return Overrides()
    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), 1, "overrides must be a mapping")
    for key in data:
        if key not in KEYS:
            raise ConfigError(str(path), line_of(path, str(key)), f"unknown key '{key}' (allowed: {', '.join(KEYS)})")
    never = data.get("never_emit") or []
    corrections = data.get("corrections") or {}
    if not isinstance(never, list):
        raise ConfigError(str(path), line_of(path, "never_emit"), "never_emit must be a list of card ids")
    if not isinstance(corrections, dict):
        raise ConfigError(str(path), line_of(path, "corrections"), "corrections must map card ids to fields")
    for card_id, fix in corrections.items():
        if not isinstance(fix, dict) or set(fix) - set(CORRECTABLE):
            raise ConfigError(str(path), line_of(path, str(card_id)),
                              f"correction for {card_id} may set {', '.join(CORRECTABLE)}")
    return Overrides(frozenset(str(c) for c in never), {str(k): dict(v) for k, v in corrections.items()},
                     _groups(path, data, "merge"), _groups(path, data, "keep_apart"))


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
                    out.insert(index + 1, Cluster(tuple(Member(m.source, m.item_id, "kept apart by overrides", 0)
                                                        for m in moved)))
                    break
    for group in overrides.merge:
        owners = [next((i for i, c in enumerate(out) if any(key(m) in members_of.get(card, set())
                                                               for m in c.members)), None) for card in group]
        found = list(dict.fromkeys(i for i in owners if i is not None))
        if len(found) < 2:
            continue
        target = found[0]
        extra = [Member(m.source, m.item_id, "merged by overrides", 100) for i in found[1:] for m in out[i].members]
        out[target] = Cluster(out[target].members + tuple(extra))
        out = [c for i, c in enumerate(out) if i not in found[1:]]
    return out
