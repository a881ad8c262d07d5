"""List frequent words of real questions that no taxonomy concept, intent cue or filler covers (grow the taxonomy)."""

from __future__ import annotations

import argparse
import os
import re
from collections import Counter
from pathlib import Path

import yaml

from pipeline.config import load_rules
from pipeline.dedup import make_key

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("DECKMILL_REALWORLD") or ROOT.parent / "shared" / "realworld")
_CJK = re.compile(r"[\u3400-\u9fff]")


def questions() -> list[str]:
    """Every expected question of the real-world corpus, plus the question lines of the seed pages."""
    found: list[str] = []
    for path in sorted(CORPUS.glob("*/expected.yaml")):
        for page in yaml.safe_load(path.read_text(encoding="utf-8")).get("files", []):
            found += [str(q) for q in page.get("all_expected_questions", [])]
    for page in sorted((ROOT / "tests" / "seeds").glob("*.txt")):
        found += [ln for ln in page.read_text(encoding="utf-8").splitlines() if ln.rstrip().endswith(("?", "？"))]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--top", type=int, default=60, help="how many terms to list")
    args = parser.parse_args()
    rules = load_rules().dedup
    words: Counter[str] = Counter()
    bare = 0
    for question in questions():
        key = make_key(question, "zh" if _CJK.search(question) else "en", rules)
        bare += not key.concepts
        latin = [t for t in key.leftover if not _CJK.fullmatch(t)]
        cjk = "".join(t for t in key.leftover if _CJK.fullmatch(t))
        words.update(set(latin) | {cjk[i:i + 2] for i in range(len(cjk) - 1)})
    total = len(questions())
    print(f"{total} questions, {bare} ({bare / max(total, 1):.0%}) name no concept; most frequent uncovered terms:")
    for term, count in words.most_common(args.top):
        print(f"{count:5}  {term}")


if __name__ == "__main__":
    main()
