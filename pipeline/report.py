"""The build report: per-source figures, card changes, skipped pages; as a value, text or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from pipeline.models import Card, Cluster, SourceItems


@dataclass(frozen=True)
class SourceFigures:
    source: str
    encoding: str
    format: str
    lines_in: int
    junk_removed: int
    questions: int
    answered: int
    merged_into_other: int
    cards: int


@dataclass(frozen=True)
class BuildReport:
    sources: tuple[SourceFigures, ...] = ()
    skipped_pages: tuple[tuple[str, str], ...] = ()
    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: int = 0
    carried: tuple[tuple[str, str], ...] = ()
    retired: tuple[str, ...] = ()
    not_carded: tuple[tuple[str, str], ...] = ()
    needs_review: tuple[tuple[str, str], ...] = ()
    packages: tuple[tuple[str, int], ...] = ()
    rebuilt: tuple[tuple[str, str], ...] = ()  # (source, why its stage files were rebuilt)
    deck_moves: tuple[tuple[str, str, str], ...] = ()  # (card, its deck in Anki, the deck it would get now)


def source_figures(sources: list[SourceItems], clusters: list[Cluster], cards: list[Card]) -> list[SourceFigures]:
    carded = {(c.members[0].source, c.members[0].item_id) for c in cards if c.members}
    merged: dict[str, int] = {}
    for cluster in clusters:
        for member in cluster.members[1:]:
            merged[member.source] = merged.get(member.source, 0) + 1
    out = []
    for s in sources:
        out.append(SourceFigures(
            source=s.slug, encoding=s.encoding, format=s.fmt, lines_in=s.lines_in, junk_removed=s.junk_removed,
            questions=len(s.items), answered=sum(1 for i in s.items if i.answered),
            merged_into_other=merged.get(s.slug, 0),
            cards=sum(1 for i in s.items if (s.slug, i.id) in carded)))
    return out


def as_json(report: BuildReport) -> str:
    return json.dumps(asdict(report), ensure_ascii=False, indent=2)


def as_text(report: BuildReport, verbose: bool = False) -> str:
    headers = ("source", "read as", "lines in", "junk removed", "questions", "answered", "merged", "cards")
    rows: list[tuple[str, ...]] = [
        (f.source, f"{f.format}/{f.encoding}",
         *(str(n) for n in (f.lines_in, f.junk_removed, f.questions, f.answered, f.merged_into_other, f.cards)))
        for f in report.sources]
    if rows:
        rows.append(("TOTAL", "", *(str(sum(int(r[i]) for r in rows)) for i in range(2, 8))))
    table = [headers, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths,
                                                                                                   strict=True)))
             for row in table]
    if not report.sources:
        lines.append("no usable page found (add .txt, .md or .html pages to the raw directory)")
    lines.append(f"cards: {len(report.new)} new, {len(report.changed)} changed, {report.unchanged} unchanged, "
                 f"{len(report.retired)} retired, {len(report.carried)} identities carried over")
    for name, count in report.packages:
        lines.append(f"wrote {name} ({count} notes)")
    if report.needs_review and not verbose:
        lines.append(f"{len(report.needs_review)} cards tagged needs-review, "
                     f"{len(report.not_carded)} questions without a card (-v lists them with the reason)")
    if report.deck_moves:
        lines.append(f"{len(report.deck_moves)} existing cards now belong to another subdeck; importing does not "
                     "move cards (move them in Anki's browser if you want)")
    if verbose:
        lines += [f"  rebuilt {s}: {why}" for s, why in report.rebuilt]
        lines += [f"  new: {c}" for c in report.new] + [f"  changed: {c}" for c in report.changed]
        lines += [f"  carried over: {a} (was {b})" for a, b in report.carried]
        lines += [f"  retired: {c}" for c in report.retired]
        lines += [f"  deck: {c} stays in {old} (now {new})" for c, old, new in report.deck_moves]
        lines += [f"  needs review: {c}: {why}" for c, why in report.needs_review]
        lines += [f"  not a card: {k}: {why}" for k, why in report.not_carded]
    return "\n".join(lines)
