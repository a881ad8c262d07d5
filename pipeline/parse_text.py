"""Plain-text pages to blocks: one block per line, bullets as list items, code (fenced or not) kept whole."""

from __future__ import annotations

import re

from pipeline.models import Block

_FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+#.-]*)\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(\S.*)$")
_STRONG_CODE = (
    re.compile(r"^\s*(import\s+\w[\w.]*|from\s+[\w.]+\s+import\s+\S)"),
    re.compile(r"^\s*(def|class)\s+\w+.*:\s*(#.*)?$"),
    re.compile(r"^\s*[A-Za-z_][\w.]*(\[[^\]]*\])?\s*[+\-*/]?=\s*[^=\s].*$"),
    re.compile(r"^\s*[A-Za-z_][\w.]*\(.*[(,\[{]\s*(#.*)?$"),
    re.compile(r"^\s*(return|print|raise|yield|assert)\b.*[()\w]\s*$"),
    re.compile(r"^\s*(for|while|if|elif|with)\s.*:\s*(#.*)?$"),
    re.compile(r"^\s*(else|try|finally)\s*:\s*$"),
    re.compile(r"^\s*[)\]}]+\s*[,;]?\s*$"),
    re.compile(r"^\s*(public|private|static|const|let|var|function)\s+\w+"),
)
_WEAK_CODE = re.compile(r"^\s*(#|//|'''|\"\"\"|[A-Za-z_]\w*\s*=|\w+\s*=.*,\s*(#.*)?$)")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _code_ascii_ratio(line: str) -> float:
    body = line.split("#", 1)[0] if not line.lstrip().startswith("#") else ""
    if not body.strip():
        return 1.0
    return 1 - len(_CJK.findall(body)) / max(1, len(body.strip()))


def is_strong_code(line: str) -> bool:
    """A line that can only be code (an assignment, an import, a call left open...)."""
    return any(p.match(line) for p in _STRONG_CODE) and _code_ascii_ratio(line) > 0.8


def _depth_change(line: str) -> int:
    code = re.sub(r"(\"[^\"]*\"|'[^']*')", "", line.split("#", 1)[0])
    return sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")


def _code_run(lines: list[str], start: int) -> int:
    """If an unfenced code block starts at `start`, return its end (exclusive); else `start`."""
    first = lines[start]
    lookahead = [ln for ln in lines[start : start + 4] if ln.strip()]
    if not (is_strong_code(first) or (_WEAK_CODE.match(first) and any(map(is_strong_code, lookahead[1:])))):
        return start
    end, depth, in_string, strong = start, 0, False, 0
    i = start
    while i < len(lines):
        line = lines[i]
        quotes = line.count("'''") + line.count('"""')
        if not line.strip():
            nxt = next((ln for ln in lines[i + 1 : i + 3] if ln.strip()), "")
            if depth > 0 or in_string or is_strong_code(nxt) or _WEAK_CODE.match(nxt):
                i += 1
                continue
            break
        inside = depth > 0 or in_string
        if not inside and _HEADING.match(line.strip()):
            break
        if not (inside or is_strong_code(line) or _WEAK_CODE.match(line) or line.startswith((" ", "\t"))):
            break
        strong += is_strong_code(line)
        if quotes % 2 == 1:
            in_string = not in_string
        if not in_string and quotes % 2 == 0:
            depth = max(0, depth + _depth_change(line))
        i += 1
        end = i
    return end if strong >= 2 or (strong >= 1 and end - start >= 3) else start


def parse_text(text: str, bullets: tuple[str, ...]) -> list[Block]:
    """Split a plain-text page into blocks, one per non-empty line (code blocks grouped)."""
    lines = text.split("\n")
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        fence = _FENCE.match(line)
        if fence:
            close = next((j for j in range(i + 1, len(lines)) if lines[j].strip().startswith(fence.group(1))), None)
            if close is not None:
                body = "\n".join(lines[i + 1 : close]).strip("\n")
                blocks.append(Block("code", body, lang=fence.group(2), line=i + 1))
                i = close + 1
                continue
        if not line.strip():
            i += 1
            continue
        end = _code_run(lines, i)
        if end > i:
            body = "\n".join(ln.rstrip() for ln in lines[i:end]).strip("\n")
            blocks.append(Block("code", body, lang="python" if _looks_python(body) else "", line=i + 1))
            i = end
            continue
        blocks.append(_line_block(line, i + 1, bullets))
        i += 1
    return blocks


def _looks_python(body: str) -> bool:
    return bool(re.search(r"^\s*(import |from \S+ import |def |\w+\s*=\s*\w+\()", body, re.M))


def _line_block(line: str, number: int, bullets: tuple[str, ...]) -> Block:
    stripped = line.strip()
    indent = len(line) - len(line.lstrip(" \t\u3000"))
    heading = _HEADING.match(stripped)
    if heading:
        return Block("heading", heading.group(2).strip(), level=len(heading.group(1)), line=number)
    for bullet in bullets:
        if stripped.startswith(bullet):
            rest = stripped[len(bullet) :]
            # "-" and "*" are bullets only when followed by a space; symbol bullets need none
            if bullet.isascii() and not rest.startswith((" ", "\t")):
                continue
            return Block("item", rest.strip(), level=indent // 4, line=number)
    # nesting depth from spaces and tabs only: a full-width "　　" opening is typography, not nesting
    nesting = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))
    return Block("para", stripped, level=nesting // 2, line=number)
