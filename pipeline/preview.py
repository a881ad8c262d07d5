"""The review page: one self-contained offline HTML file showing every card as Anki renders it, and the build."""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from pipeline.apkg import FIELDS, load_templates
from pipeline.cards import fields_for
from pipeline.cardtemplate import render_card
from pipeline.dedup import Related
from pipeline.inspection import structure_of
from pipeline.media import media_index
from pipeline.models import Card, SourceItems
from pipeline.report import BuildReport
from pipeline.session import Session
from pipeline.stagefiles import read_clean, read_items, read_merged
from pipeline.yamlio import atomic_write

_TAGS = re.compile(r"<[^>]+>")
_MEDIA_SRC = re.compile(r'(<img\b[^>]*?\bsrc=)"(dm-[0-9a-f]{16}\.[a-z0-9]{2,5})"')


@dataclass(frozen=True)
class PreviewInput:
    """What the page shows: the build's cards and report, the pages' items, the near-misses."""

    cards: tuple[Card, ...]
    report: BuildReport
    sources: tuple[SourceItems, ...]
    related: tuple[Related, ...]
    title: str
    media: dict[str, Path] = field(default_factory=dict)  # media name -> image file (embedded as data: URIs)
    structures: dict[str, str] = field(default_factory=dict)  # page -> the question signature inferred


def _asset(name: str) -> str:
    return (resources.files("pipeline") / "preview_assets" / name).read_text(encoding="utf-8")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())


def _embedded(fragment: str, media: dict[str, Path]) -> str:
    """Card media as data: URIs, so the page stays one self-contained file."""
    def one(match: re.Match[str]) -> str:
        path = media.get(match.group(2))
        if path is None:
            return match.group(0)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return f'{match.group(1)}"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode("ascii")}"'

    return _MEDIA_SRC.sub(one, fragment)


def _card_article(card: Card, front_t: str, back_t: str, media: dict[str, Path]) -> str:
    fields = dict(zip(FIELDS, fields_for(card), strict=True))
    front, back = (_embedded(side, media) for side in render_card(front_t, back_t, fields))
    status = card.status.value
    sources = " ".join(s.slug for s in card.sources)
    text = " ".join((card.card_id, _plain(fields["Question"]), _plain(fields["OtherLangQuestion"]),
                     _plain(fields["Answer"]), _plain(fields["OtherLangAnswer"]))).lower()
    members = "".join(
        f"<li><code>{_e(m.source)}/{_e(m.item_id)}</code> {_e(m.reason)}"
        f"{f' (similarity {m.score})' if i else ''}</li>" for i, m in enumerate(card.members))
    tags = "".join(f'<span class="pv-tag">{_e(t)}</span>' for t in card.tags)
    return (
        f'<article class="pv-card" id="{_e(card.card_id)}" data-status="{_e(status)}" '
        f'data-tags="{_e(" ".join(card.tags))}" data-sources="{_e(sources)}" data-text="{_e(text)}">\n'
        f'<header><code>{_e(card.card_id)}</code> <span class="pv-status pv-{_e(status)}">{_e(status)}</span> '
        f'<span class="pv-deck">{_e(card.deck)}</span> {tags}</header>\n'
        f'<div class="pv-sides"><div class="card pv-front">{front}</div>\n'
        f'<div class="card pv-back">{back}</div></div>\n'
        f'<details class="pv-members"><summary>{len(card.members)} member(s)'
        f'{" merged" if len(card.members) > 1 else ""}</summary><ul>{members}</ul></details>\n'
        "</article>")


def _changes(report: BuildReport) -> str:
    if not report.changes:
        return "<p>Nothing changed since the last build.</p>"
    rows = []
    for change in report.changes:
        fields = "".join(f"<li>{_e(f.field.value)}: <del>{_e(f.before)}</del> → <ins>{_e(f.after)}</ins></li>"
                         for f in change.fields)
        pages = f' <span class="pv-pages">[{_e(", ".join(change.pages))}]</span>' if change.pages else ""
        why = f" — {_e(change.why)}" if change.why else ""
        rows.append(f'<li class="pv-change" data-status="{_e(change.status.value)}">'
                    f'<span class="pv-status pv-{_e(change.status.value)}">{_e(change.status.value)}</span> '
                    f'<a href="#{_e(change.card_id)}">{_e(change.card_id)}</a> «{_e(change.question)}»{pages}{why}'
                    f'{f"<ul>{fields}</ul>" if fields else ""}</li>')
    return f"<ul>{''.join(rows)}</ul>"


def _questions(sources: tuple[SourceItems, ...]) -> dict[str, str]:
    return {f"{s.slug}/{i.id}": i.question for s in sources for i in s.items}


def _uncarded(data: PreviewInput) -> str:
    asked = _questions(data.sources)
    by_id = {c.card_id: c.content.question for c in data.cards}
    rows = [f"<tr><td>{_e(asked.get(key) or by_id.get(key) or key)}</td><td><code>{_e(key)}</code></td>"
            f"<td>{_e(why)}</td></tr>" for key, why in data.report.not_carded]
    if not rows:
        return "<p>Every question has a card.</p>"
    return f"<table><tr><th>question</th><th>where</th><th>why no card</th></tr>{''.join(rows)}</table>"


def _related(data: PreviewInput) -> str:
    asked = _questions(data.sources)
    rows = [f"<tr><td>{_e(asked.get(r.a, r.a))}</td><td>{_e(asked.get(r.b, r.b))}</td><td>{r.score}</td>"
            f"<td>{_e(r.why_not)}</td></tr>" for r in data.related]
    if not rows:
        return "<p>No near-misses.</p>"
    return f"<table><tr><th>question</th><th>kept apart from</th><th>similarity</th><th>why not merged</th></tr>" \
           f"{''.join(rows)}</table>"


def _pages(data: PreviewInput) -> str:
    figures = {f.source: f for f in data.report.sources}
    rows = []
    for source in data.sources:
        f = figures.get(source.slug)
        findings = [*sorted({flag for i in source.items for flag in i.flags}),
                    *(f"{f.check.value} line {f.line}: {f.detail}" for f in source.findings)]
        counts = (f"{f.questions} questions, {f.answered} answered, {f.cards} cards ({f.new} new), "
                  f"{f.merged_into_other} joined other cards, {f.no_card} without a card"
                  if f else f"{len(source.items)} questions")
        structure = data.structures.get(source.slug, "")
        rows.append(f"<tr><td>{_e(source.slug)}</td><td>{_e(source.meta.title)}</td><td>{_e(source.fmt)}/"
                    f"{_e(source.encoding)}</td><td>{_e(counts)}</td><td>{_e(structure)}</td>"
                    f"<td>{'<br>'.join(map(_e, findings))}</td></tr>")
    skipped = "".join(f"<li>{_e(name)}: {_e(why)}</li>" for name, why in data.report.skipped_pages)
    return (f"<table><tr><th>page</th><th>title</th><th>read as</th><th>brings</th><th>questions are</th>"
            f"<th>self-check findings</th></tr>"
            f"{''.join(rows)}</table>" + (f"<p>Skipped pages:</p><ul>{skipped}</ul>" if skipped else ""))


def _options(values: list[str]) -> str:
    return "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in values)


def preview_html(data: PreviewInput) -> str:
    """The whole page; nothing in it is loaded from the network."""
    front_t, back_t, css = load_templates()
    cards = sorted(data.cards, key=lambda c: c.position)
    statuses = sorted({c.status.value for c in cards})
    tags = sorted({t for c in cards for t in c.tags})
    slugs = sorted({s.slug for c in cards for s in c.sources})
    articles = "\n".join(_card_article(c, front_t, back_t, data.media) for c in cards)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(data.title)}</title>
<style>{css}</style>
<style>{_asset("preview.css")}</style>
</head><body class="pv">
<header class="pv-top"><h1>{_e(data.title)}</h1>
<div class="pv-controls">
<input id="pv-search" type="search" placeholder="Search questions and answers" autocomplete="off">
<select id="pv-tag"><option value="">every tag</option>{_options(tags)}</select>
<select id="pv-source"><option value="">every page</option>{_options(slugs)}</select>
<select id="pv-status"><option value="">every status</option>{_options(statuses)}</select>
<label><input id="pv-night" type="checkbox"> night</label>
<span id="pv-count">{len(cards)} cards</span>
</div></header>
<div id="pv-errors" hidden></div>
<section id="pv-changes"><h2>What changed since the last build</h2>{_changes(data.report)}</section>
<section id="pv-cards-section"><h2>Cards</h2><div id="pv-cards">
{articles}
</div></section>
<section id="pv-related"><h2>Near-misses kept apart</h2>{_related(data)}</section>
<section id="pv-uncarded"><h2>Questions without a card</h2>{_uncarded(data)}</section>
<section id="pv-pages"><h2>Pages</h2>{_pages(data)}</section>
<script>{_asset("preview.js")}</script>
</body></html>
"""


def _structures(session: Session) -> dict[str, str]:
    """Per page, the block signature its questions were taken from (as `deckmill inspect` says it)."""
    out = {}
    for path in sorted(session.paths.clean_dir.glob("*.yaml")):
        chosen = structure_of(read_clean(path), session.rules)[2]
        out[path.stem] = chosen.signature.describe() if chosen else "no question signature"
    return out


def preview_path(session: Session) -> Path:
    return session.paths.out / "deckmill.preview.html"


def write_preview(session: Session, report: BuildReport, target: Path | None = None) -> Path:
    """Write the review page for the build `session` just ran (beside the package unless `target`)."""
    sources = tuple(read_items(p) for p in sorted(session.paths.yaml_dir.glob("*.yaml")))
    related = tuple(read_merged(session.paths.merged)[1]) if session.paths.merged.exists() else ()
    title = f"deckmill preview: {session.rules.deck.deck_name}"
    page = preview_html(PreviewInput(session.last_cards, report, sources, related, title,
                                     media_index(session.paths.raw), _structures(session)))
    path = target or preview_path(session)

    def write(tmp: Path) -> None:
        tmp.write_text(page, encoding="utf-8")

    atomic_write(path, write)
    return path
