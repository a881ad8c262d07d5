"""Tables as Markdown text (what parsers emit) and back to rows (what cleaning reads to find FAQ tables)."""

from __future__ import annotations

import re

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def markdown_table(rows: list[list[str]]) -> str:
    """A pipe table; the first row is the header. A '|' inside a cell is escaped."""
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    cells = [[c.replace("|", "\\|") for c in r] + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(r) + " |" for r in cells]
    lines.insert(1, "|" + " --- |" * width)
    return "\n".join(lines)


def table_rows(text: str) -> list[list[str]]:
    """The rows of a pipe table written by `markdown_table` (separator line dropped, pipes unescaped)."""
    rows = []
    for index, line in enumerate(text.strip().split("\n")):
        if index == 1 and re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", line.strip()):
            continue
        body = line.strip().removeprefix("|").removesuffix("|")
        rows.append([cell.strip().replace("\\|", "|") for cell in _UNESCAPED_PIPE.split(body)])
    return rows
