"""Merges of two published cards that dedup proposes: kept in decks/proposals.yaml until the person accepts one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedSeq

from pipeline.errors import DeckmillError
from pipeline.forget import list_for_edit, load_for_edit, round_trip_yaml, save_edited
from pipeline.identity.claim import Proposal
from pipeline.identity.ledger import Ledger
from pipeline.overrides import load_overrides
from pipeline.yamlcheck import Checker
from pipeline.yamlio import read_yaml, write_yaml

SCHEMA = 1


@dataclass(frozen=True)
class Proposed:
    """A proposal as the person sees it: both cards and their questions."""

    keep: str
    merge: str
    keep_question: str
    merge_question: str
    score: int


def write_proposals(path: Path, proposals: tuple[Proposal, ...], ledger: Ledger) -> None:
    """Record this build's proposals (the file goes away when there are none)."""
    if not proposals:
        path.unlink(missing_ok=True)
        return
    entries = ledger.entries
    write_yaml(path, {"schema": SCHEMA, "proposals": [
        {"keep": p.keep, "merge": p.merge, "similarity": p.score, "keep_question": entries[p.keep].content.question,
         "merge_question": entries[p.merge].content.question} for p in proposals]})


def read_proposals(path: Path) -> list[Proposed]:
    if not path.exists():
        return []
    check = Checker(path)
    data = check.mapping(read_yaml(path), [], "a proposals file")
    out = []
    for index, raw in enumerate(data.get("proposals") or []):
        where: list[str | int] = ["proposals", index]
        raw = check.mapping(raw, where, "a proposal")
        out.append(Proposed(check.get(raw, where, "keep", str), check.get(raw, where, "merge", str),
                            check.get(raw, where, "keep_question", str, ""),
                            check.get(raw, where, "merge_question", str, ""),
                            check.get(raw, where, "similarity", int, 0)))
    return out


def accept(overrides_path: Path, proposals: list[Proposed], card_ids: tuple[str, ...]) -> list[Proposed]:
    """Append the chosen proposals (all when `card_ids` is empty; else those naming one of the ids) to `merge:`
    in the overrides, comments and order kept; returns what was accepted."""
    chosen = [p for p in proposals if not card_ids or p.keep in card_ids or p.merge in card_ids]
    if card_ids and not chosen:
        raise DeckmillError(f"no proposed merge names {', '.join(card_ids)} (`deckmill merge` lists them)")
    existing = {frozenset(group) for group in load_overrides(overrides_path).merge}
    chosen = [p for p in chosen if frozenset((p.keep, p.merge)) not in existing]
    if chosen:
        yaml = round_trip_yaml()
        data = load_for_edit(overrides_path, yaml)
        merge = list_for_edit(data, "merge")
        for p in chosen:
            pair = CommentedSeq([p.keep, p.merge])
            pair.fa.set_flow_style()
            merge.append(pair)
            merge.yaml_add_eol_comment(f"{p.keep_question[:40]} = {p.merge_question[:40]}", len(merge) - 1)
        save_edited(overrides_path, yaml, data)
    return chosen
