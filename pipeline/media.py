"""Card media: images a page keeps beside it get content-derived names (dm-<hash>.<ext>, never a leading `_`)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import unquote

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".avif")
SAVED_FOLDER_SUFFIX = "_files"  # a browser's "save page, complete" keeps images in <page>_files/
MEDIA_NAME = re.compile(r"^dm-[0-9a-f]{16}\.[a-z0-9]{2,5}$")
_MD_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])([^"']+)\2""", re.I)
_FIELD_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["'](dm-[0-9a-f]{16}\.[a-z0-9]{2,5})["']""", re.I)


def media_name(data: bytes, suffix: str) -> str:
    """The name an image travels under: the same bytes always get the same name, different bytes another."""
    return f"dm-{hashlib.sha256(data).hexdigest()[:16]}{suffix.lower()}"


def _local_file(src: str, page: Path) -> Path | None:
    """The image file `src` names beside the page, or None (remote, absolute, outside the folder, missing).

    A browser saves a page's images in `<its name>_files/`; `deckmill add` keeps that folder as `<slug>_files/`,
    so a reference into any `…_files/` folder is also looked for in the page's own.
    """
    if re.match(r"^[a-z][a-z0-9+.-]*:|^/|^#", src, re.I):
        return None
    relative = Path(unquote(src.split("?")[0].split("#")[0]))
    base = page.parent.resolve()
    candidates = [base / relative]
    parts = [p for p in relative.parts if p != "."]
    if len(parts) > 1 and parts[0].endswith(SAVED_FOLDER_SUFFIX):
        candidates.append(base / f"{page.name}{SAVED_FOLDER_SUFFIX}" / Path(*parts[1:]))
    for candidate in candidates:
        path = candidate.resolve()
        if base in path.parents and path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
            return path
    return None


def _renamed(src: str, page: Path) -> str:
    path = _local_file(src, page)
    return media_name(path.read_bytes(), path.suffix) if path is not None else src


def localize(text: str, fmt: str, page: Path) -> str:
    """Point a page's local image references at their media names (remote and missing ones are left alone).

    `page` is the page's path without its suffix (raw/<slug>).
    """
    if fmt == "html":
        return _HTML_IMG_SRC.sub(lambda m: m.group(1) + m.group(2) + _renamed(m.group(3), page) + m.group(2), text)
    return _MD_IMAGE.sub(lambda m: f"![{m.group(1)}]({_renamed(m.group(2), page)})", text)


def local_images(text: str, page: Path) -> list[Path]:
    """The image files beside the page that `text` points at, in either syntax (what its cards depend on besides
    the page's own bytes: a changed picture must rebuild the page even when the page is unchanged)."""
    sources = [m.group(3) for m in _HTML_IMG_SRC.finditer(text)] + [m.group(2) for m in _MD_IMAGE.finditer(text)]
    return sorted({path for path in map(lambda src: _local_file(src, page), sources) if path is not None})


def card_images(markdown: str) -> str:
    """Images in an answer as a card shows them: media stay images, remote ones become a link with their alt
    text (a card never loads from the network), unresolved local ones their alt text."""
    def one(match: re.Match[str]) -> str:
        alt, src = match.group(1).strip(), match.group(2)
        if MEDIA_NAME.match(src):
            return match.group(0)
        if re.match(r"^https?://", src, re.I):
            return f"[{alt or 'image'}]({src})"
        return f"({alt})" if alt else ""

    return _MD_IMAGE.sub(one, markdown)


def referenced(fields: list[str]) -> set[str]:
    """The media names a note's rendered fields show."""
    return {name for field in fields for name in _FIELD_SRC.findall(field)}


def media_index(folder: Path) -> dict[str, Path]:
    """Every image under `folder` (a raw/ directory and its `_files/` folders) by its media name."""
    if not folder.is_dir():
        return {}
    return {media_name(p.read_bytes(), p.suffix): p for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES}
