"""Pair table: precision, recall and wrong merges of dedup on the labelled question pairs, per kind."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.config import DedupRules, load_rules
from pipeline.dedup import cluster
from pipeline.models import QAItem, SourceItems, SourceMeta

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "dedup_pairs"
HALVES = ("dev", "heldout")
KINDS = ("zh", "en", "zh-en")


@dataclass(frozen=True)
class Pair:
    """One labelled row of the table."""

    kind: str
    same: bool
    a: str
    b: str

    @property
    def langs(self) -> tuple[str, str]:
        return ("en", "en") if self.kind == "en" else ("zh", "zh") if self.kind == "zh" else ("zh", "en")


@dataclass
class Figures:
    """Counts for one kind: merged true pairs, missed true pairs, wrong merges, correctly kept apart."""

    merged: int = 0
    missed: int = 0
    wrong: int = 0
    apart: int = 0
    wrong_pairs: list[Pair] = field(default_factory=list)
    missed_pairs: list[Pair] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.merged / (self.merged + self.wrong) if self.merged + self.wrong else 1.0

    @property
    def recall(self) -> float:
        return self.merged / (self.merged + self.missed) if self.merged + self.missed else 1.0


def load_pairs(half: str) -> list[Pair]:
    rows = yaml.safe_load((PAIRS / f"{half}.yaml").read_text(encoding="utf-8"))["pairs"]
    return [Pair(kind, label == "same", a, b) for kind, label, a, b in rows]


def merges(pair: Pair, rules: DedupRules) -> bool:
    """Whether dedup puts the two questions, each alone in its own source, into one cluster."""
    lang_a, lang_b = pair.langs
    sources = [SourceItems(slug, f"{slug}.txt", SourceMeta(), "utf-8", "txt", 1, 0,
                           (QAItem("q1", text, "answer", "", lang),))
               for slug, text, lang in (("a", pair.a, lang_a), ("b", pair.b, lang_b))]
    clusters, _ = cluster(sources, rules)
    return len(clusters) == 1


def score(pairs: list[Pair], rules: DedupRules) -> dict[str, Figures]:
    """Figures per kind, plus 'all'."""
    table = {kind: Figures() for kind in (*KINDS, "all")}
    for pair in pairs:
        merged = merges(pair, rules)
        for fig in (table[pair.kind], table["all"]):
            if pair.same and merged:
                fig.merged += 1
            elif pair.same:
                fig.missed += 1
                fig.missed_pairs.append(pair)
            elif merged:
                fig.wrong += 1
                fig.wrong_pairs.append(pair)
            else:
                fig.apart += 1
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--half", choices=HALVES, action="append", help="which half (default: both)")
    parser.add_argument("--show", action="store_true", help="list wrong merges and missed pairs")
    args = parser.parse_args()
    rules = load_rules().dedup
    for half in args.half or HALVES:
        table = score(load_pairs(half), rules)
        print(f"{half}:  kind   pairs  precision  recall  wrong merges")
        for kind, fig in table.items():
            pairs = fig.merged + fig.missed + fig.wrong + fig.apart
            print(f"{'':6}{kind:6} {pairs:5}  {fig.precision:9.3f}  {fig.recall:6.3f}  {fig.wrong:12}")
        if args.show:
            for pair in table["all"].wrong_pairs:
                print(f"  WRONG  [{pair.kind}] {pair.a} | {pair.b}")
            for pair in table["all"].missed_pairs:
                print(f"  missed [{pair.kind}] {pair.a} | {pair.b}")


if __name__ == "__main__":
    main()
