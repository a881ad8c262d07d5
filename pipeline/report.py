"""The build report: per-source figures, card changes, skipped pages; as a value, text or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from pipeline.changes import CardChange
from pipeline.identity.claim import Proposal
from pipeline.models import Card, CardStatus, Cluster, SourceItems


@dataclass(frozen=True)
class SourceFigures:
    source: str
    encoding: str
    format: str
    lines_in: int
    junk_removed: int
    questions: int
    answered: int
    merged_into_other: int  # questions that joined a card another question of this or another page leads
    cards: int  # cards this page's questions lead
    new: int = 0  # of those, cards new in this build
    no_card: int = 0  # questions in no card (no answer anywhere, or never_emit)


@dataclass(frozen=True)
class BuildReport:
    """Everything a build did, as data: the CLI prints it as text or JSON, the review page shows it."""

    sources: tuple[SourceFigures, ...] = ()
    skipped_pages: tuple[tuple[str, str], ...] = ()
    changes: tuple[CardChange, ...] = ()  # new, changed (field by field), revived, retired (with why)
    unchanged: int = 0
    still_retired: int = 0
    carried: tuple[tuple[str, str], ...] = ()  # (card id, the question it was published as) after a rewording
    not_carded: tuple[tuple[str, str], ...] = ()
    needs_review: tuple[tuple[str, str], ...] = ()
    packages: tuple[tuple[str, int], ...] = ()
    rebuilt: tuple[tuple[str, str], ...] = ()  # (source, why its stage files were rebuilt)
    deck_moves: tuple[tuple[str, str, str], ...] = ()  # (card, its deck in Anki, the deck it would get now)
    primary_moves: tuple[tuple[str, str, str], ...] = ()  # (card, the member it now shows, why)
    proposals: tuple[Proposal, ...] = ()  # merges of two published cards, waiting for the person
    settings: tuple[str, ...] = ()  # notes on settings in force for this build only

    def _ids(self, status: CardStatus) -> tuple[str, ...]:
        return tuple(c.card_id for c in self.changes if c.status is status)

    @property
    def new(self) -> tuple[str, ...]:
        return self._ids(CardStatus.NEW)

    @property
    def changed(self) -> tuple[str, ...]:
        return self._ids(CardStatus.CHANGED)

    @property
    def revived(self) -> tuple[str, ...]:
        return self._ids(CardStatus.REVIVED)

    @property
    def retired(self) -> tuple[str, ...]:
        return self._ids(CardStatus.RETIRED)


def source_figures(sources: list[SourceItems], clusters: list[Cluster], cards: list[Card]) -> list[SourceFigures]:
    """Per page: what it holds, and how many of its questions lead a card or joined another question's card."""
    carded = {(c.members[0].source, c.members[0].item_id) for c in cards if c.members}
    new = {(c.members[0].source, c.members[0].item_id) for c in cards if c.members and c.status is CardStatus.NEW}
    in_card = {(m.source, m.item_id) for c in cards for m in c.members}
    merged: dict[str, int] = {}
    for cluster in clusters:
        keys = [(m.source, m.item_id) for m in cluster.members]
        lead = next((k for k in keys if k in carded), keys[0])
        for source, _ in (k for k in keys if k != lead):
            merged[source] = merged.get(source, 0) + 1
    out = []
    for s in sources:
        out.append(SourceFigures(
            source=s.slug, encoding=s.encoding, format=s.fmt, lines_in=s.lines_in, junk_removed=s.junk_removed,
            questions=len(s.items), answered=sum(1 for i in s.items if i.answered),
            merged_into_other=merged.get(s.slug, 0),
            cards=sum(1 for i in s.items if (s.slug, i.id) in carded),
            new=sum(1 for i in s.items if (s.slug, i.id) in new),
            no_card=sum(1 for i in s.items if (s.slug, i.id) not in in_card)))
    return out


def as_json(report: BuildReport) -> str:
    data = asdict(report)
    data.update(new=report.new, changed=report.changed, revived=report.revived, retired=report.retired)
    return json.dumps(data, ensure_ascii=False, indent=2)


def change_lines(report: BuildReport, verbose: bool = False) -> list[str]:
    """The change report: every changed, revived and retired card with its fields, pages and why."""
    lines: list[str] = []
    for change in report.changes:
        if change.status is CardStatus.NEW and not verbose:
            continue
        pages = f" [{', '.join(change.pages)}]" if change.pages else ""
        why = f": {change.why}" if change.why else ""
        lines.append(f"  {change.status.value} {change.card_id} «{change.question[:60]}»{pages}{why}")
        lines += [f"      {f.field.value}: «{f.before}» -> «{f.after}»" for f in change.fields]
    lines += [f"  shows another member: {c}: now {member} ({why})" for c, member, why in report.primary_moves]
    return lines


def as_text(report: BuildReport, verbose: bool = False) -> str:
    headers = ("source", "read as", "lines in", "junk removed", "questions", "answered", "cards", "new",
               "joined", "no card")
    rows: list[tuple[str, ...]] = [
        (f.source, f"{f.format}/{f.encoding}",
         *(str(n) for n in (f.lines_in, f.junk_removed, f.questions, f.answered, f.cards, f.new,
                            f.merged_into_other, f.no_card)))
        for f in report.sources]
    if rows:
        rows.append(("TOTAL", "", *(str(sum(int(r[i]) for r in rows)) for i in range(2, len(headers)))))
    table = [headers, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths,
                                                                                                   strict=True)))
             for row in table]
    if not report.sources:
        lines.append("no usable page found (add .txt, .md or .html pages to the raw directory)")
    lines += report.settings
    lines.append(f"cards: {len(report.new)} new, {len(report.changed)} changed, {len(report.revived)} revived, "
                 f"{report.unchanged} unchanged, {len(report.retired)} retired now "
                 f"({report.still_retired} retired earlier), {len(report.carried)} identities carried over")
    lines += change_lines(report, verbose)
    for name, count in report.packages:
        lines.append(f"wrote {name} ({count} notes)")
    for p in report.proposals:
        lines.append(f"proposed merge of two cards you study: {p.merge} into {p.keep} (similarity {p.score}); "
                     f"`deckmill merge` shows them, `deckmill merge --accept {p.merge}` accepts")
    if report.needs_review and not verbose:
        lines.append(f"{len(report.needs_review)} cards tagged needs-review, "
                     f"{len(report.not_carded)} questions without a card (-v lists them with the reason)")
    if report.deck_moves:
        lines.append(f"{len(report.deck_moves)} existing cards now belong to another subdeck; importing does not "
                     "move cards (move them in Anki's browser if you want)")
    if verbose:
        lines += [f"  rebuilt {s}: {why}" for s, why in report.rebuilt]
        lines += [f"  carried over: {a} (was {b})" for a, b in report.carried]
        lines += [f"  deck: {c} stays in {old} (now {new})" for c, old, new in report.deck_moves]
        lines += [f"  needs review: {c}: {why}" for c, why in report.needs_review]
        lines += [f"  not a card: {k}: {why}" for k, why in report.not_carded]
    return "\n".join(lines)
