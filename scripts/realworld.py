"""Build every page of the real-world corpus (../shared/realworld) in a scratch dir and print how it scores."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.config import load_rules
from tests.realworld_score import (
    CORPUS,
    ROOT,
    PageScore,
    dump_known_gaps,
    format_page,
    format_totals,
    groups,
    load_known_gaps,
    score_group,
    tightened_gaps,
    totals,
)

GAPS = ROOT / "tests" / "realworld_known_gaps.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--group", action="append", help="only these groups (repeatable)")
    parser.add_argument("--page", help="only pages whose slug contains this")
    parser.add_argument("-v", "--verbose", action="store_true", help="list missing/spurious/junk per page")
    parser.add_argument("--update-gaps", action="store_true",
                        help="rewrite tests/realworld_known_gaps.yaml (fixed pages leave; figures only tighten)")
    args = parser.parse_args()
    if args.update_gaps and (args.group or args.page):
        parser.error("--update-gaps needs the whole corpus")
    found = groups(args.corpus)
    if not found:
        print(f"no corpus at {args.corpus} (expected */expected.yaml)")
        return 1
    rules = load_rules()
    every: list[PageScore] = []
    per_group: list[tuple[str, list[PageScore]]] = []
    for group in found:
        if args.group and group.name not in args.group:
            continue
        scores = [s for s in score_group(group, rules) if not args.page or args.page in s.slug]
        for score in scores:
            print(format_page(score, args.verbose))
        per_group.append((group.name, scores))
        every.extend(scores)
    print()
    for name, scores in per_group:
        print(format_totals(name, totals(scores)))
    print(format_totals("TOTAL", totals(every)))
    if args.update_gaps:
        table, added = tightened_gaps(every, load_known_gaps(GAPS))
        dump_known_gaps(GAPS, table)
        print(f"\n{GAPS.relative_to(ROOT)}: {len(table)} pages")
        for key in added:
            print(f"  NEW entry {key}: a new corpus page, or a regression to fix rather than record")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
