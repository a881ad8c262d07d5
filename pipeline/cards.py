"""Assemble cards from merged clusters: best answer first, provenance, tags, decks, ledger identity."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass

from pipeline.config import Rules
from pipeline.ledger import Candidate, Ledger, LedgerEntry, assign
from pipeline.models import Card, CardContent, Cluster, QAItem, SourceItems, SourceRef
from pipeline.overrides import Overrides
from pipeline.render import inline_html, markdown_html
from pipeline.tags import card_tags, classify, deck_for

NEEDS_REVIEW = "needs-review"
NEEDS_ANSWER = "needs-answer"
RETIRED = "retired"


@dataclass(frozen=True)
class Draft:
    """A cluster turned into content, before identity."""

    cluster: Cluster
    content: CardContent
    sources: tuple[SourceRef, ...]
    sections: tuple[str, ...]
    review: tuple[str, ...]
    answered: bool
    deck_root: str
    meta_tags: tuple[str, ...]


def _damage_reasons(item: QAItem, rules: Rules) -> list[str]:
    reasons = {r.name: r.reason for r in rules.damage}
    return [f"{reasons.get(f[8:], f[8:])}" for f in item.flags if f.startswith("damaged:")]


def draft_card(cluster: Cluster, items: dict[tuple[str, str], QAItem], sources: dict[str, SourceItems],
               rules: Rules) -> Draft:
    members = [items[(m.source, m.item_id)] for m in cluster.members]
    answered = [i for i in members if i.answered and "link-only" not in i.flags]
    ranked = sorted(answered, key=lambda i: (any(f.startswith("damaged:") for f in i.flags),
                                              -len(i.answer or i.alt_answer)))
    # the card asks the question that goes with its best answer: a new unanswered duplicate changes nothing
    best = ranked[0] if ranked else members[0]
    primary = best
    others = tuple(dict.fromkeys(i.answer for i in ranked[1:] if i.answer and i.answer != best.answer))
    also = tuple(dict.fromkeys(i.question for i in members if i.question != primary.question))
    with_alt = next((i for i in [best, *members] if i.alt_question), None)
    content = CardContent(
        question=primary.question, answer=best.answer or best.alt_answer,
        alt_question=with_alt.alt_question if with_alt else "",
        alt_answer=(with_alt.alt_answer if with_alt and best.answer else ""),
        other_answers=others, also_asked=also, lang=primary.lang,
        alt_lang=with_alt.alt_lang if with_alt else "")
    slugs = list(dict.fromkeys(m.source for m in cluster.members))
    refs = tuple(SourceRef(s, sources[s].filename, sources[s].meta.title, sources[s].meta.url) for s in slugs)
    first_meta = sources[slugs[0]].meta
    return Draft(cluster, content, refs, tuple(dict.fromkeys(i.section for i in members if i.section)),
                 tuple(_damage_reasons(best, rules)) if ranked else (), bool(ranked),
                 first_meta.deck or rules.deck.deck_name,
                 tuple(t for s in slugs for t in sources[s].meta.tags))


def _apply_correction(content: CardContent, fix: dict[str, str]) -> CardContent:
    return CardContent(fix.get("question", content.question), fix.get("answer", content.answer),
                       fix.get("alt_question", content.alt_question), fix.get("alt_answer", content.alt_answer),
                       content.other_answers, content.also_asked, content.lang, content.alt_lang)


def _provenance_hash(draft: Draft) -> str:
    parts = [f"{s.slug}|{s.title}|{s.url}" for s in draft.sources] + list(draft.content.also_asked)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class CardSet:
    cards: tuple[Card, ...]
    retired: tuple[Card, ...]
    skipped: tuple[tuple[str, str], ...]  # (cluster key or card id, reason)
    deck_moves: tuple[tuple[str, str, str], ...] = ()  # (card id, deck it lives in, deck it would get now)


def build_cards(clusters: list[Cluster], sources: list[SourceItems], ledger: Ledger, rules: Rules,
                overrides: Overrides, now: int, include_unanswered: bool = False,
                refresh: bool = False) -> CardSet:
    """Cards for every answered cluster (and unanswered ones if asked), with stable identities from the ledger."""
    by_slug = {s.slug: s for s in sources}
    items = {(s.slug, i.id): i for s in sources for i in s.items}
    drafts: list[Draft] = []
    skipped: list[tuple[str, str]] = []
    for cluster in clusters:
        draft = draft_card(cluster, items, by_slug, rules)
        if draft.answered or include_unanswered:
            drafts.append(draft)
        else:
            skipped.append((cluster.key, "no answer in any source"))
    candidates = [Candidate(d.cluster.key, tuple(f"{m.source}/{m.item_id}" for m in d.cluster.members),
                            d.content, _provenance_hash(d)) for d in drafts]
    # corrections are keyed by the stable card id: resolve ids first, then apply and re-assign
    identities, _ = assign(_copy(ledger), candidates, now, rules.dedup, refresh)
    corrected = [Candidate(c.key, c.members, _apply_correction(c.content, overrides.corrections[i.card_id]),
                           c.provenance_hash) if i.card_id in overrides.corrections else c
                 for c, i in zip(candidates, identities, strict=True)]
    present = frozenset(f"{slug}/{item_id}" for slug, item_id in items)
    identities, retired_entries = assign(ledger, corrected, now, rules.dedup, refresh, present)
    cards: list[Card] = []
    moves: list[tuple[str, str, str]] = []
    for draft, cand, ident in zip(drafts, corrected, identities, strict=True):
        if ident.card_id in overrides.never_emit:
            skipped.append((ident.card_id, "never_emit in overrides"))
            continue
        content = cand.content
        classification = classify(content.question, content.answer, rules.taxonomy)
        extra = list(draft.meta_tags)
        review = () if "answer" in overrides.corrections.get(ident.card_id, {}) else draft.review
        if review:
            extra.append(NEEDS_REVIEW)
        if not draft.answered:
            extra.append(NEEDS_ANSWER)
        tags = card_tags(classification, [s.slug for s in draft.sources], list(draft.sections), extra)
        deck = deck_for(classification, draft.deck_root, rules)
        entry = ledger.entries[ident.card_id]
        entry.tags = list(tags)
        if ident.status == "new" or not entry.deck:
            entry.deck = deck  # the deck the card was created in: an import never moves it afterwards
        elif entry.deck != deck:
            moves.append((ident.card_id, entry.deck, deck))
        cards.append(Card(ident.card_id, ident.guid, ident.note_id, ident.mod, ident.position, content,
                          draft.sources, draft.cluster.members, tags, deck, review, status=ident.status,
                          carried_from=ident.carried_from))
    retired = tuple(_retired_card(e, rules) for e in retired_entries if e.card_id not in overrides.never_emit)
    for card in retired:
        ledger.entries[card.card_id].tags = list(card.tags)
    return CardSet(tuple(cards), retired, tuple(skipped), tuple(moves))


def _copy(ledger: Ledger) -> Ledger:
    clone = Ledger(note_type_hash=ledger.note_type_hash, note_type_mod=ledger.note_type_mod,
                   last_note_id=ledger.last_note_id)
    for card_id, entry in ledger.entries.items():
        clone.entries[card_id] = LedgerEntry(**{**entry.__dict__, "members": list(entry.members),
                                                "tags": list(entry.tags)})
    return clone


def _retired_card(entry: LedgerEntry, rules: Rules) -> Card:
    tags = tuple(dict.fromkeys([t for t in entry.tags if t not in (NEEDS_ANSWER,)] + [RETIRED]))
    content = CardContent(entry.question, entry.answer, lang=entry.lang)
    return Card(entry.card_id, entry.guid, entry.note_id, entry.changed, entry.position, content, (), (), tags,
                entry.deck or f"{rules.deck.deck_name}::{rules.deck.fallback_topic}", retired=True, status="retired")


def _sources_html(card: Card) -> str:
    rows = []
    for ref in card.sources:
        title = html.escape(ref.title or ref.slug)
        name = html.escape(ref.filename)
        link = f' · <a href="{html.escape(ref.url)}">{html.escape(ref.url)}</a>' if ref.url else ""
        rows.append(f"<li>{title} <code>{name}</code>{link}</li>")
    return f"<ul>{''.join(rows)}</ul>" if rows else ""


def fields_for(card: Card) -> list[str]:
    """The note's fields, in the frozen order of apkg.FIELDS."""
    content = card.content
    other = "".join(f'<div class="dm-other">{markdown_html(a)}</div>' for a in content.other_answers)
    also = "".join(f"<li>{inline_html(q)}</li>" for q in content.also_asked)
    extra = ""
    if card.review_reasons:
        extra = "⚠ needs review: " + html.escape("; ".join(card.review_reasons))
    if card.retired:
        extra = "retired: this question is no longer in any source"
    return [inline_html(content.question), markdown_html(content.answer), inline_html(content.alt_question),
            markdown_html(content.alt_answer), other, f"<ul>{also}</ul>" if also else "", _sources_html(card),
            extra, card.card_id, "", ""]
