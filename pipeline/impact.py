"""What new pages would bring to a collection, found by building into a scratch copy of raw/ and out/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Rules
from pipeline.identity.ledger import load_ledger
from pipeline.models import Card, Check, ItemFlag
from pipeline.scratch import scratch_copy
from pipeline.session import Paths, Session
from pipeline.sources import META_SUFFIX, slug_for
from pipeline.stagefiles import read_items

# Item flags said otherwise: no answer has its own line, and a self-check's flag is its page finding (with detail).
_SHOWN_ELSEWHERE = {ItemFlag.NO_ANSWER.value, *(ItemFlag.damaged(c.value) for c in Check)}


@dataclass(frozen=True)
class Joined:
    """A question of the new page that joins a card the collection already has."""

    question: str
    card_id: str
    card_question: str


@dataclass(frozen=True)
class PageImpact:
    """What one page brings: new cards, questions joining existing cards, questions left without a card."""

    slug: str
    questions: int = 0
    new_cards: tuple[tuple[str, str], ...] = ()  # (card id, question)
    joined: tuple[Joined, ...] = ()
    unanswered: tuple[str, ...] = ()
    without_card: tuple[tuple[str, str], ...] = ()  # (question, why)
    findings: tuple[tuple[str, str], ...] = ()  # (question or line, self-check flag or finding)
    skipped: str = ""  # why the page could not be used at all


@dataclass(frozen=True)
class NewPage:
    """A page to try: its file name in raw/, its bytes, its meta text and any files that go beside it."""

    filename: str
    data: bytes
    meta_text: str
    extra: tuple[tuple[str, bytes], ...] = ()


def _impact(slug: str, scratch: Paths, before: set[str], cards: tuple[Card, ...], why_not: dict[str, str],
            skipped: dict[str, str], filename: str) -> PageImpact:
    items_file = scratch.yaml_dir / f"{slug}.yaml"
    if not items_file.exists():
        return PageImpact(slug, skipped=skipped.get(filename, "no questions found"))
    source = read_items(items_file)
    card_of = {(m.source, m.item_id): c for c in cards if not c.retired for m in c.members}
    new: dict[str, str] = {}
    joined: list[Joined] = []
    without: list[tuple[str, str]] = []
    for item in source.items:
        card = card_of.get((slug, item.id))
        if card is None:
            without.append((item.question, why_not.get(f"{slug}/{item.id}", "no card")))
        elif card.card_id in before:
            joined.append(Joined(item.question, card.card_id, card.content.question))
        else:
            new.setdefault(card.card_id, card.content.question)
    return PageImpact(
        slug, questions=len(source.items), new_cards=tuple(new.items()), joined=tuple(joined),
        unanswered=tuple(i.question for i in source.items if not i.answered), without_card=tuple(without),
        findings=(*((i.question, f) for i in source.items for f in i.flags if f not in _SHOWN_ELSEWHERE),
                  *((f.question or (f"line {f.line}" if f.line else "the page"), f"{f.check.value} ({f.detail})")
                    for f in source.findings)))


def what_pages_bring(paths: Paths, rules: Rules, pages: list[NewPage], now: int,
                     session_factory: Callable[[Paths, Rules, int], Session] | None = None) -> list[PageImpact]:
    """Build the project plus `pages` in a scratch folder; the real raw/ and out/ are never written."""
    factory = session_factory or (lambda p, r, n: Session(p, r, now=n))
    with scratch_copy(paths) as scratch:
        before = {c for c, e in load_ledger(scratch.ledger, scratch.parsed_cache).entries.items() if not e.retired}
        for page in pages:
            (scratch.raw / page.filename).write_bytes(page.data)
            for relative, data in page.extra:
                (scratch.raw / relative).parent.mkdir(parents=True, exist_ok=True)
                (scratch.raw / relative).write_bytes(data)
            (scratch.raw / (slug_for(Path(page.filename)) + META_SUFFIX)).write_text(page.meta_text, encoding="utf-8")
        session = factory(scratch, rules, now)
        report = session.build()
        why_not = dict(report.not_carded)
        skipped = dict(session.skipped)
        return [_impact(slug_for(Path(p.filename)), scratch, before, session.last_cards, why_not, skipped,
                        p.filename) for p in pages]


def _quote(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return f"«{text if len(text) <= width else text[: width - 1] + '…'}»"


def _capped(lines: list[str], what: str, verbose: bool, shown: int) -> list[str]:
    if verbose or len(lines) <= shown:
        return lines
    return [*lines[:shown], f"… and {len(lines) - shown} more {what} (-v lists them)"]


def impact_text(impact: PageImpact, verbose: bool = False, shown: int = 5) -> list[str]:
    """Lines saying what a page brings (the CLI prints them indented under the page)."""
    if impact.skipped:
        return [f"brings nothing: {impact.skipped}"]
    unanswered = set(impact.unanswered)
    return [
        f"brings {impact.questions} questions: {len(impact.new_cards)} new cards, "
        f"{len(impact.joined)} join existing cards, {len(impact.without_card)} without a card",
        *_capped([f"new {card}: {_quote(q)}" for card, q in impact.new_cards], "new cards", verbose, shown),
        *[f"joins {j.card_id} {_quote(j.card_question, 50)}"
          + (f" as {_quote(j.question, 50)}" if j.question != j.card_question else "") for j in impact.joined],
        *_capped([f"no answer: {_quote(q)}" for q in impact.unanswered], "questions without an answer",
                 verbose, shown),
        *[f"no card ({why}): {_quote(q)}" for q, why in impact.without_card if q not in unanswered],
        *_capped([f"self-check {flag}: {_quote(q)}" for q, flag in impact.findings], "self-check findings",
                 verbose, shown),
    ]
