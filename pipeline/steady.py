"""A build whose inputs are exactly what the last build left behind changes nothing: it is skipped, and the
last build's report is given as it stands now (every card unchanged). Kept in decks/.cache/steady.json."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from pipeline.cache import file_hash
from pipeline.identity.claim import Proposal
from pipeline.report import BuildReport, SourceFigures
from pipeline.yamlio import write_text

SCHEMA = 1


def inputs_key(parts: list[str], files: list[Path]) -> str:
    """One digest of the settings (`parts`) and the bytes of every input file."""
    digest = hashlib.sha256()
    for part in [*parts, *(f"{p.name}:{file_hash(p)}" for p in files)]:
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()[:32]


def settled(report: BuildReport) -> BuildReport:
    """The report a build of the same inputs gives right after this one: nothing new, changed or carried."""
    live = report.unchanged + len(report.new) + len(report.changed) + len(report.revived)
    return replace(report, changes=(), carried=(), primary_moves=(), rebuilt=(), skipped_pages=(), unchanged=live,
                   still_retired=report.still_retired + len(report.retired),
                   sources=tuple(replace(f, new=0) for f in report.sources))


def save(path: Path, key: str, outputs: list[Path], report: BuildReport) -> None:
    data = {"schema": SCHEMA, "key": key, "outputs": {str(p): file_hash(p) for p in outputs},
            "report": asdict(settled(report))}
    write_text(path, json.dumps(data, ensure_ascii=False))


def load(path: Path, key: str) -> BuildReport | None:
    """The settled report when `key` matches and every output is still as written; else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != SCHEMA or data.get("key") != key:
            return None
        if any(file_hash(Path(p)) != digest for p, digest in data["outputs"].items()):
            return None
        return _report(data["report"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _pairs(rows: Any) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(str(x) for x in row) for row in rows)


def _report(raw: dict[str, Any]) -> BuildReport:
    return BuildReport(
        sources=tuple(SourceFigures(**f) for f in raw["sources"]),
        unchanged=int(raw["unchanged"]), still_retired=int(raw["still_retired"]),
        not_carded=_pairs(raw["not_carded"]),  # type: ignore[arg-type]
        needs_review=_pairs(raw["needs_review"]),  # type: ignore[arg-type]
        packages=tuple((str(n), int(c)) for n, c in raw["packages"]),
        deck_moves=_pairs(raw["deck_moves"]),  # type: ignore[arg-type]
        proposals=tuple(Proposal(**p) for p in raw["proposals"]),
        settings=tuple(str(s) for s in raw["settings"]))
