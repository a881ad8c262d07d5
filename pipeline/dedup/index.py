"""The dedup entry point and its index kept between builds: when a build's questions extend the last build's, only
the new ones are matched (clustering is sequential and deterministic, so the result is the one a full build gives)."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path
from typing import Any

from pipeline.config import DedupRules
from pipeline.dedup.group import Index, Related
from pipeline.gcpause import paused_gc, settle
from pipeline.models import Cluster, Member, QAItem, SourceItems
from pipeline.yamlio import atomic_write, write_text

SCHEMA = 1


def item_digest(slug: str, item: QAItem) -> str:
    """What clustering reads of an item: a change here re-matches it (and every item after it)."""
    text = repr((slug, item.id, item.question, item.lang, item.alt_question, item.alt_lang))  # unambiguous, fast
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def rules_digest(rules: DedupRules) -> str:
    """The dedup rules and code in force: a change invalidates the index."""
    digest = hashlib.sha256(repr(rules).encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _state_file(path: Path) -> Path:
    """Where the index's blocks and keys are kept (read only to resume, not when nothing changed)."""
    return path.with_name(path.stem + ".state.pickle")


_STATE = ("members", "keys", "asks", "pages", "by_block", "near", "related")  # the Index as it stands


def save(path: Path, index: Index, order: list[str], rules: DedupRules) -> None:
    digest = rules_digest(rules)
    state = _state_file(path)
    for old in path.parent.glob(path.stem + ".keys.json"):
        old.unlink()  # the first layout kept the keys as JSON and replayed them: its state is not read any more

    def write(tmp: Path) -> None:
        with tmp.open("wb") as out:  # streamed; loading it is much faster than filing every key again
            pickle.dump((SCHEMA, digest, order, {name: getattr(index, name) for name in _STATE}), out,
                        pickle.HIGHEST_PROTOCOL)

    atomic_write(state, write)
    write_text(path, json.dumps({  # written last: a build that stops between the two leaves a mismatch, not a lie
        "schema": SCHEMA, "rules": digest, "order": order,
        "members": [[[m.source, m.item_id, m.reason, m.score] for m in ms] for ms in index.members],
        "related": [[r.a, r.b, r.score, r.why_not] for r in index.related.values()]}, ensure_ascii=False,
        separators=(",", ":")))


def _read(path: Path, rules: DedupRules) -> dict[str, Any] | None:
    """The saved index if it was made under these rules and reads well; None otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or data.get("rules") != rules_digest(rules):
        return None
    return data


def _members(data: dict[str, Any]) -> list[list[Member]]:
    return [[Member(str(s), str(i), str(r), int(sc)) for s, i, r, sc in ms] for ms in data["members"]]


def _related(data: dict[str, Any]) -> dict[tuple[str, str], Related]:
    return {(str(a), str(b)): Related(str(a), str(b), int(s), str(w)) for a, b, s, w in data["related"]}


def restore(path: Path, data: dict[str, Any], rules: DedupRules) -> Index | None:
    """The saved index, ready to take more questions: its state as the last build left it, when that build
    finished under these rules with these items; None otherwise."""
    try:
        with _state_file(path).open("rb") as kept, paused_gc():  # a great many objects: collecting triples the time
            schema, digest, order, state = pickle.load(kept)
            settle()  # in a build: set aside before any collection walks it
    except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, IndexError, KeyError,
            pickle.UnpicklingError):
        return None
    if schema != SCHEMA or digest != data["rules"] or order != data["order"] or set(state) != set(_STATE):
        return None
    index = Index(rules)
    for name in _STATE:
        setattr(index, name, state[name])
    return index


def cluster_kept(sources: list[SourceItems], rules: DedupRules, path: Path) -> tuple[list[Cluster], list[Related]]:
    """Cluster the sources, resuming the index saved at `path` when its items are the first of these; save it.
    The same items as last time: the saved result as it is."""
    items = [(s.slug, i) for s in sources for i in s.items]
    order = [item_digest(slug, item) for slug, item in items]
    try:
        data = _read(path, rules)
        if data is not None and data["order"] == order:
            return [Cluster(tuple(ms)) for ms in _members(data)], list(_related(data).values())
        prefix = data is not None and data["order"] == order[:len(data["order"])]
        resumed = restore(path, data, rules) if data is not None and prefix else None
    except (ValueError, TypeError, KeyError, IndexError):
        resumed = None
    index = resumed or Index(rules)
    for slug, item in items[len(data["order"]) if resumed is not None and data is not None else 0:]:
        index.add(slug, item)
    settle()  # in a build: the index as it stands is set aside before saving it walks every part of it
    save(path, index, order, rules)
    return index.clusters(), list(index.related.values())


def cluster(sources: list[SourceItems], rules: DedupRules,
            kept: Path | None = None) -> tuple[list[Cluster], list[Related]]:
    """Group items that ask the same question; every member is kept as provenance with its merge rule and score.
    With `kept` (a file), the index is kept there between builds and only questions after the saved ones are matched."""
    if kept is not None:
        return cluster_kept(sources, rules, kept)
    index = Index(rules)
    for source in sources:
        for item in source.items:
            index.add(source.slug, item)
    return index.clusters(), list(index.related.values())
