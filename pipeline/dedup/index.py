"""The dedup entry point and its index kept between builds: when a build's questions extend the last build's, only
the new ones are matched (clustering is sequential and deterministic, so the result is the one a full build gives)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pipeline.config import DedupRules
from pipeline.dedup.group import Index, Related
from pipeline.dedup.keys import Key
from pipeline.models import Cluster, Member, QAItem, SourceItems
from pipeline.yamlio import write_text

SCHEMA = 1


def item_digest(slug: str, item: QAItem) -> str:
    """What clustering reads of an item: a change here re-matches it (and every item after it)."""
    text = json.dumps([slug, item.id, item.question, item.lang, item.alt_question, item.alt_lang], ensure_ascii=False)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def rules_digest(rules: DedupRules) -> str:
    """The dedup rules and code in force: a change invalidates the index."""
    digest = hashlib.sha256(repr(rules).encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _key_out(key: Key) -> list[Any]:
    return [key.text, sorted(key.concepts), sorted(key.intents), sorted(key.numbers), list(key.leftover), key.lang,
            key.ask_block, key.partial]


def _key_in(row: list[Any]) -> Key:
    text, concepts, intents, numbers, leftover, lang, ask_block, partial = row
    return Key(str(text), frozenset(concepts), frozenset(intents), frozenset(numbers), tuple(leftover), str(lang),
               str(ask_block), bool(partial))


def dump(index: Index, order: list[str], rules: DedupRules) -> str:
    return json.dumps({
        "schema": SCHEMA, "rules": rules_digest(rules), "order": order,
        "members": [[[m.source, m.item_id, m.reason, m.score] for m in ms] for ms in index.members],
        "asks": [sorted(a) for a in index.asks], "pages": [sorted(p) for p in index.pages],
        "related": [[r.a, r.b, r.score, r.why_not] for r in index.related.values()],
        "log": [[n, _key_out(k)] for n, k in index.log],
    }, ensure_ascii=False, separators=(",", ":"))


def load(text: str, rules: DedupRules) -> tuple[Index, list[str]] | None:
    """The saved index and the item order it covers; None if it was made under other rules or is unreadable."""
    try:
        data = json.loads(text)
        if data.get("schema") != SCHEMA or data.get("rules") != rules_digest(rules):
            return None
        index = Index(rules)
        index.members = [[Member(str(s), str(i), str(r), int(sc)) for s, i, r, sc in ms] for ms in data["members"]]
        index.keys = [{} for _ in index.members]
        index.asks = [frozenset(a) for a in data["asks"]]
        index.pages = [set(p) for p in data["pages"]]
        index.related = {(str(a), str(b)): Related(str(a), str(b), int(s), str(w)) for a, b, s, w in data["related"]}
        for n, row in data["log"]:
            index.register(int(n), _key_in(row))
        return index, [str(d) for d in data["order"]]
    except (ValueError, TypeError, KeyError, IndexError):
        return None


def cluster_kept(sources: list[SourceItems], rules: DedupRules, path: Path) -> Index:
    """Cluster the sources, resuming the index saved at `path` when its items are the first of these; save it."""
    items = [(s.slug, i) for s in sources for i in s.items]
    order = [item_digest(slug, item) for slug, item in items]
    saved = load(path.read_text(encoding="utf-8"), rules) if path.exists() else None
    index, start = Index(rules), 0
    if saved is not None and saved[1] == order[:len(saved[1])]:
        index, start = saved[0], len(saved[1])
    for slug, item in items[start:]:
        index.add(slug, item)
    if start < len(order) or saved is None:
        write_text(path, dump(index, order, rules))
    return index


def cluster(sources: list[SourceItems], rules: DedupRules,
            kept: Path | None = None) -> tuple[list[Cluster], list[Related]]:
    """Group items that ask the same question; every member is kept as provenance with its merge rule and score.
    With `kept` (a file), the index is kept there between builds and only questions after the saved ones are matched."""
    if kept is not None:
        index = cluster_kept(sources, rules, kept)
    else:
        index = Index(rules)
        for source in sources:
            for item in source.items:
                index.add(source.slug, item)
    return index.clusters(), list(index.related.values())
