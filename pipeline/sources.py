"""Find raw pages, decode them (encoding detected), tell their format by content, read their meta sidecar."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import charset_normalizer

from pipeline.errors import ConfigError, SkipPage
from pipeline.media import local_images, localize
from pipeline.models import RawPage, SourceMeta
from pipeline.yamlcheck import Checker
from pipeline.yamlio import read_yaml

PAGE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".text", "")
META_SUFFIX = ".meta.yaml"
META_KEYS = ("title", "url", "lang", "license", "deck", "tags", "date")  # date: when it was saved (informative)
LANGS = ("zh", "en")

_HTML_SNIFF = re.compile(r"<(!doctype\s+html|html|head|body|div|p|article|section|h[1-6]|ul|table)\b", re.I)
_MD_SNIFF = re.compile(r"^(#{1,6}\s|```|\s*[-*+]\s|\d+\.\s|>\s)", re.M)
_CJK = re.compile(r"[\u3400-\u9fff]")


def slug_for(path: Path) -> str:
    """The source id: the file name without its page suffix."""
    name = path.name
    lowered = name.lower()
    for suffix in PAGE_SUFFIXES:
        if suffix and lowered.endswith(suffix):
            return name[: -len(suffix)]
    return name


def discover(raw_dir: Path) -> list[Path]:
    """Every candidate page in `raw_dir`, sorted by name (meta sidecars and hidden files excluded)."""
    if not raw_dir.is_dir():
        raise ConfigError(str(raw_dir), None, "raw directory does not exist")
    pages = []
    for path in sorted(raw_dir.iterdir()):
        if not path.is_file() or path.name.startswith(".") or path.name.endswith(META_SUFFIX):
            continue
        if path.suffix.lower() in PAGE_SUFFIXES or not path.suffix:
            pages.append(path)
    return pages


# ASCII with at least one pair of bytes from A1..FE each: the shape of GB2312 (EUC-CN) text; a Latin-1 page's accented
# letters stand alone or before ASCII ("naïve", "café") and do not pair up this way
_GB2312_SHAPE = re.compile(rb"[\x00-\x7f]*(?:[\xa1-\xfe][\xa1-\xfe][\x00-\x7f]*)+")


def _gb_symbols_only(data: bytes) -> str | None:
    """An English page saved by a Chinese editor (GBK) whose only wide characters are quotes, dashes, symbols or
    Greek letters ("‘baseline’", "α"): no Chinese text for the detector to go on, which then names a Latin code page
    or Big5. Its text when the bytes have GB2312's shape and read so, else None."""
    if _GB2312_SHAPE.fullmatch(data) is None:
        return None
    text = data.decode("gb18030")
    wide = {ch for ch in text if ord(ch) > 0x7F}
    symbols = all(unicodedata.category(ch)[0] in "PSZN" or "\u0370" <= ch <= "\u03ff" or "\uff00" <= ch <= "\uffef"
                  for ch in wide)
    return text if symbols else None


def decode(data: bytes) -> tuple[str, str]:
    """Decode page bytes; returns (text, encoding name). Raises SkipPage for binary or empty input."""
    if not data.strip():
        raise SkipPage("empty page")
    for bom, name in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(name, errors="replace").lstrip("\ufeff"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        best = charset_normalizer.from_bytes(data[:65536], cp_isolation=["utf_16_le", "utf_16_be"]).best()
        if best is None:
            raise SkipPage("binary file, not text")
    best = charset_normalizer.from_bytes(data).best()
    gb_symbols = _gb_symbols_only(data)
    if gb_symbols is not None and (best is None or not str(best.encoding).startswith("gb")):
        return gb_symbols, "gb18030"  # ASCII with a few GB quotes and dashes ("‘Baseline’"): not Latin or Big5 text
    if best is None or best.encoding is None:
        raise SkipPage("binary file, not text")
    encoding = best.encoding
    if encoding in ("gb2312", "gbk"):
        encoding = "gb18030"  # a superset: never lose a character GBK pages use
    text = data.decode(encoding, errors="replace")
    return text, encoding


def _is_text(text: str) -> bool:
    sample = text[:20000]
    if not sample.strip():
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    replacement = sample.count("\ufffd")
    return (controls + replacement) / len(sample) < 0.05


def sniff_format(path: Path, text: str) -> str:
    """'html', 'md' or 'txt': by content first, the suffix breaks ties."""
    head = text[:5000]
    suffix = path.suffix.lower()
    html_hits = len(_HTML_SNIFF.findall(head))
    if head.lstrip().lower().startswith(("<!doctype", "<html")):
        return "html"
    if suffix in (".md", ".markdown") and len(_MD_SNIFF.findall(head)) >= 2:
        return "md"  # Markdown with inline HTML (<details>, <strong>, <div align>) is still Markdown
    if html_hits >= 2:
        return "html"
    if suffix in (".html", ".htm") and html_hits:
        return "html"
    if suffix in (".md", ".markdown"):
        return "md"
    if suffix in (".txt", ".text"):
        return "txt"
    headings = len(re.findall(r"^#{1,6}\s\S", head, re.M))
    if headings >= 2 and len(_MD_SNIFF.findall(head)) >= 4:
        return "md"
    return "txt"


def guess_lang(text: str) -> str:
    """'zh' when a fair share of letters are CJK, else 'en'."""
    letters = [ch for ch in text[:20000] if ch.isalpha()]
    if not letters:
        return ""
    cjk = sum(1 for ch in letters if _CJK.match(ch))
    return "zh" if cjk / len(letters) > 0.2 else "en"


def read_meta(page: Path) -> SourceMeta:
    """Read `<slug>.meta.yaml` beside a page; absent means empty; wrong keys or types name the file and line."""
    meta_path = page.with_name(slug_for(page) + META_SUFFIX)
    if not meta_path.exists():
        return SourceMeta()
    check = Checker(meta_path)
    data = check.mapping(read_yaml(meta_path), [], "a meta file")
    check.only(data, [], META_KEYS)
    text = {key: check.get(data, [], key, str, "") for key in ("title", "url", "lang", "license", "deck")}
    if text["lang"] not in ("", *LANGS):
        raise check.fail(["lang"], f"lang must be one of {', '.join(LANGS)}, not {text['lang']!r}")
    if text["deck"] and (text["deck"].startswith("::") or text["deck"].endswith("::")):
        raise check.fail(["deck"], f"deck must be a deck name like 'Interviews::LLM', not {text['deck']!r}")
    return SourceMeta(tags=check.strings(data, [], "tags"), **text)


def page_images(path: Path) -> list[Path]:
    """The local image files a raw page shows (read loosely: a path the page names in any encoding's ASCII)."""
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return []
    return local_images(text, path.with_name(slug_for(path)))


def load_page(path: Path) -> RawPage:
    """Read one raw page. Raises SkipPage when it is not usable text."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SkipPage(f"cannot read: {exc.strerror}") from exc
    text, encoding = decode(data)
    if not _is_text(text):
        raise SkipPage("binary file, not text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta = read_meta(path)
    if not meta.lang:
        meta = SourceMeta(meta.title, meta.url, guess_lang(text), meta.license, meta.deck, meta.tags)
    fmt = sniff_format(path, text)
    text = localize(text, fmt, path.with_name(slug_for(path)))  # images kept beside the page travel as card media
    return RawPage(slug_for(path), path.name, text, fmt, encoding, meta)  # type: ignore[arg-type]
