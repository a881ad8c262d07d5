"""Render a note type's card templates as Anki does: {{Field}}, {{#Field}}…{{/Field}}, {{^Field}}, {{FrontSide}}."""

from __future__ import annotations

import re

_TAG = re.compile(r"\{\{\s*([#^/]?)\s*([^}]+?)\s*\}\}")
_EMPTY = re.compile(r"^(\s|<br\s*/?>|<div>|</div>|&nbsp;)*$", re.I)


def field_is_empty(value: str) -> bool:
    """Anki's test for a conditional: blank, or only whitespace, <br> and empty <div>s."""
    return _EMPTY.match(value) is not None


def _render(template: str, fields: dict[str, str], start: int, closing: str) -> tuple[str, int]:
    out: list[str] = []
    pos = start
    while True:
        match = _TAG.search(template, pos)
        if match is None:
            out.append(template[pos:])
            return "".join(out), len(template)
        out.append(template[pos:match.start()])
        kind, name = match.group(1), match.group(2)
        if kind == "/":
            if name == closing:
                return "".join(out), match.end()
            pos = match.end()  # a stray closing tag renders as nothing
            continue
        if kind in ("#", "^"):
            inner, pos = _render(template, fields, match.end(), name)
            shown = not field_is_empty(fields.get(name, ""))
            if shown == (kind == "#"):
                out.append(inner)
            continue
        field = name.rsplit(":", 1)[-1]  # filters (text:, …) are not used by deckmill's templates
        out.append(fields.get(field, ""))
        pos = match.end()


def render_side(template: str, fields: dict[str, str]) -> str:
    """One side of a card; `fields` may hold FrontSide for the back."""
    return _render(template, fields, 0, "")[0]


def render_card(front: str, back: str, fields: dict[str, str]) -> tuple[str, str]:
    """(question HTML, answer HTML) as Anki renders them, without the note type's <style>."""
    question = render_side(front, fields)
    return question, render_side(back, {**fields, "FrontSide": question})
