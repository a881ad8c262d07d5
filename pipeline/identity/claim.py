"""Which ledger card each cluster of this build is (pure): by shared members, then by rewording on the same page.

Two cards that are both already published are never merged behind the learner's back: a cluster holding
members of two published cards is split back into them, and the merge becomes a proposal, unless the
person accepted it (`merge:` in the overrides).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pipeline.identity.ledger import Ledger, LedgerEntry
from pipeline.models import Cluster, Member

# (question asked now, its language, its answer, a ledger entry) -> a similarity score when it rewords the entry
Reworded = Callable[[str, str, str, LedgerEntry], int | None]


@dataclass(frozen=True)
class Group:
    """A cluster of this build and the ledger card it is (None: a new card)."""

    cluster: Cluster
    card_id: str | None
    carried_from: str = ""  # the published question this one rewords, when matched by rewording


@dataclass(frozen=True)
class Proposal:
    """Two published cards that dedup says are one question; merged only when the person accepts."""

    keep: str
    merge: str
    score: int
    why: str


def member_key(member: Member) -> str:
    return f"{member.source}/{member.item_id}"


def _owners(ledger: Ledger) -> dict[str, list[str]]:
    owners: dict[str, list[str]] = {}
    for entry in ledger.entries.values():
        for key in entry.members:
            owners.setdefault(key, []).append(entry.card_id)
    return owners


def _accepted(merges: tuple[tuple[str, ...], ...]) -> dict[str, tuple[str, ...]]:
    return {card: group for group in merges for card in group}


def _homes(ledger: Ledger, clusters: list[Cluster]) -> dict[str, int]:
    """Each published card's home cluster: the one holding its primary, else the one holding most of its members
    (the first on ties). A card whose members dedup split apart follows its primary."""
    where = {member_key(m): index for index, c in enumerate(clusters) for m in c.members}
    homes: dict[str, int] = {}
    for entry in ledger.entries.values():
        if entry.primary in where:
            homes[entry.card_id] = where[entry.primary]
            continue
        counts = Counter(where[k] for k in entry.members if k in where)
        if counts:
            homes[entry.card_id] = max(counts, key=lambda i: (counts[i], -i))
    return homes


def claim(ledger: Ledger, clusters: list[Cluster], asked: Mapping[str, tuple[str, str, str]],
          merges: tuple[tuple[str, ...], ...], reworded: Reworded) -> tuple[list[Group], list[Proposal]]:
    """Match clusters to ledger cards. `asked` maps a member key to (question, lang, answer)."""
    owners = _owners(ledger)
    homes = _homes(ledger, clusters)
    accepted = _accepted(merges)
    claimed: set[str] = set()
    groups: list[Group] = []
    proposals: list[Proposal] = []
    for index, cluster in enumerate(clusters):
        votes = [c for m in cluster.members for c in owners.get(member_key(m), []) if homes.get(c) == index]
        ranked = sorted(dict.fromkeys(votes), key=lambda c: -votes.count(c))  # stable: ties keep first seen
        if len(ranked) < 2:
            if ranked:
                claimed.add(ranked[0])
            groups.append(Group(cluster, ranked[0] if ranked else None))
            continue
        top = ranked[0]
        group = accepted.get(top, ())
        if all(c in group for c in ranked):  # the person merged these cards: the first in their list stays
            keep = next(c for c in group if c in ranked)
            claimed.add(keep)
            groups.append(Group(cluster, keep))
            continue
        split: dict[str, list[Member]] = {c: [] for c in ranked}
        for member in cluster.members:
            key = member_key(member)
            mine = [c for c in owners.get(key, []) if c in split]
            mine.sort(key=lambda c: ledger.entries[c].primary != key)  # a member shared by two cards: its primary's
            split[mine[0] if mine else top].append(member)
        for card_id, members in split.items():
            if not members:
                continue
            claimed.add(card_id)
            groups.append(Group(Cluster(tuple(members)), card_id))
            if card_id != top:
                score = max((m.score for m in members), default=0)
                proposals.append(Proposal(top, card_id, score, members[0].reason))
    return _reword(ledger, groups, asked, claimed, reworded), proposals


def _reword(ledger: Ledger, groups: list[Group], asked: Mapping[str, tuple[str, str, str]], claimed: set[str],
            reworded: Reworded) -> list[Group]:
    """Unmatched clusters take an unclaimed card (retired ones included) that asked the same question on any
    page (a page renamed, a question moved), else one from one of their pages whose question they reword.

    Exact questions are looked up by item id; fuzzy rewording compares only cards sharing a page (a page edited
    in place), so the cost stays near-linear.
    """
    by_item: dict[str, list[LedgerEntry]] = {}
    by_page: dict[str, list[LedgerEntry]] = {}
    for entry in ledger.entries.values():
        if entry.card_id not in claimed:
            for key in sorted(entry.members, key=lambda k: k != entry.primary):
                by_item.setdefault(key.split("/", 1)[1], []).append(entry)
            for page in dict.fromkeys(key.split("/", 1)[0] for key in entry.members):
                by_page.setdefault(page, []).append(entry)
    out: list[Group] = []
    for group in groups:
        if group.card_id is not None:
            out.append(group)
            continue
        same = next((e for m in group.cluster.members for e in by_item.get(m.item_id, []) if e.card_id not in claimed),
                    None)
        if same is not None:
            claimed.add(same.card_id)
            out.append(Group(group.cluster, same.card_id))
            continue
        best: tuple[int, str] | None = None
        for member in group.cluster.members:
            question, lang, answer = asked[member_key(member)]
            for entry in by_page.get(member.source, []):
                if entry.card_id in claimed:
                    continue
                score = reworded(question, lang, answer, entry)
                if score is not None and (best is None or score > best[0]):
                    best = (score, entry.card_id)
        if best is None:
            out.append(group)
            continue
        claimed.add(best[1])
        out.append(Group(group.cluster, best[1], ledger.entries[best[1]].content.question))
    return out
