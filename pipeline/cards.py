"""Compose each card's content from its primary member (question, main answer), the other members (other answers,
wordings), its tags and deck; identity and change decisions are the identity package's."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Mapping

from pipeline.config import Rules
from pipeline.identity.claim import Group
from pipeline.identity.decide import NEEDS_ANSWER, Composed
from pipeline.identity.ledger import LedgerEntry, content_hash
from pipeline.identity.primary import DAMAGED, choose_primary, ranked, usable_answer
from pipeline.models import Card, CardContent, QAItem, SourceItems, SourceRef
from pipeline.overrides import Overrides
from pipeline.render import inline_html, markdown_html
from pipeline.tags import Classification, card_tags, classify, deck_for

NEEDS_REVIEW = "needs-review"


def _damage_reasons(item: QAItem, rules: Rules) -> tuple[str, ...]:
    reasons = {r.name: r.reason for r in rules.damage}
    return tuple(reasons.get(f[len(DAMAGED):], f[len(DAMAGED):]) for f in item.flags if f.startswith(DAMAGED))


def _apply_correction(content: CardContent, fix: dict[str, str]) -> CardContent:
    return CardContent(fix.get("question", content.question), fix.get("answer", content.answer),
                       fix.get("alt_question", content.alt_question), fix.get("alt_answer", content.alt_answer),
                       content.other_answers, content.also_asked, content.lang, content.alt_lang)


def _provenance_hash(sources: tuple[SourceRef, ...], also: tuple[str, ...]) -> str:
    parts = [f"{s.slug}|{s.title}|{s.url}" for s in sources] + list(also)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def compose(group: Group, items: Mapping[str, QAItem], sources: Mapping[str, SourceItems],
            entry: LedgerEntry | None, rules: Rules, overrides: Overrides, include_unanswered: bool,
            classifier: Callable[[str, str], Classification] | None = None) -> Composed:
    """The card a group makes: the primary's question and answer, other members' answers and wordings
    (`classifier`: a memo of `classify` over this build's taxonomy, when the caller keeps one)."""
    keys = [f"{m.source}/{m.item_id}" for m in group.cluster.members]
    card_id = group.card_id or ""
    primary, why = choose_primary(keys, items, entry, overrides.primary.get(card_id))
    main = items[primary]
    answered = usable_answer(main)
    others = tuple(dict.fromkeys(items[k].answer for k in ranked(keys, items)
                                 if k != primary and usable_answer(items[k]) and items[k].answer
                                 and items[k].answer != main.answer))
    members = [items[k] for k in keys]
    also = tuple(dict.fromkeys(i.question for i in members if i.question != main.question))
    with_alt = next((i for i in [main, *members] if i.alt_question), None)
    content = CardContent(
        question=main.question, answer=main.answer or main.alt_answer,
        alt_question=with_alt.alt_question if with_alt else "",
        alt_answer=(with_alt.alt_answer if with_alt and main.answer else ""),
        other_answers=others, also_asked=also, lang=main.lang, alt_lang=with_alt.alt_lang if with_alt else "")
    fix = overrides.corrections.get(card_id, {})
    content = _apply_correction(content, fix) if fix else content
    slugs = list(dict.fromkeys(k.split("/", 1)[0] for k in [primary, *keys]))
    refs = tuple(SourceRef(s, sources[s].filename, sources[s].meta.title, sources[s].meta.url) for s in slugs)
    review = () if "answer" in fix or not answered else _damage_reasons(main, rules)
    classification = (classifier(content.question, content.answer) if classifier
                      else classify(content.question, content.answer, rules.taxonomy))
    extra = [t for s in slugs for t in sources[s].meta.tags]
    extra += [NEEDS_REVIEW] if review else []
    extra += [NEEDS_ANSWER] if not answered and "answer" not in fix else []
    sections = list(dict.fromkeys(i.section for i in members if i.section))
    tags = card_tags(classification, slugs, sections, extra)
    deck = deck_for(classification, sources[slugs[0]].meta.deck or rules.deck.deck_name, rules)
    return Composed(group, primary, why, content, _provenance_hash(refs, also), refs, tags, deck, review,
                    emit=answered or include_unanswered or "answer" in fix, unanswered=not answered,
                    content_digest=content_hash(content))


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
        extra = "retired: deckmill no longer emits this card (see the build report); delete it or keep it"
    return [inline_html(content.question), markdown_html(content.answer), inline_html(content.alt_question),
            markdown_html(content.alt_answer), other, f"<ul>{also}</ul>" if also else "", _sources_html(card),
            extra, card.card_id, "", ""]
