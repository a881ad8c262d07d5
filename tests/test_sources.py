"""Reading raw pages: encodings detected, formats told by content, unusable pages skipped, meta validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError, SkipPage
from pipeline.sources import decode, discover, load_page, read_meta, slug_for, sniff_format

TEXT = "1、什么是注意力机制?\n回答:注意力机制让模型关注输入中重要的部分。\n"


@pytest.mark.parametrize(("encoding", "prefix", "expected"), [
    ("utf-8", b"", "utf-8"),
    ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
    ("utf-16-le", b"\xff\xfe", "utf-16"),
    ("gb18030", b"", "gb18030"),
    ("big5", b"", "big5"),
])
def test_decode_detects_the_encoding(encoding: str, prefix: bytes, expected: str) -> None:
    traditional = "1、什麼是注意力機制?\n回答:注意力機制讓模型關注輸入中重要的部分。\n"
    text = (traditional if encoding == "big5" else TEXT) * 20
    data = prefix + text.encode(encoding)
    decoded, name = decode(data)
    assert name == expected
    assert "注意力" in decoded or "注意力機制" in decoded
    assert not decoded.startswith("\ufeff")


def test_an_english_page_saved_by_a_chinese_editor_keeps_its_gb_punctuation() -> None:
    english = "## Question 2\n\n**Why keep a ‘baseline’ model?**\n\nIt sets the floor \u2014 “beat this first”.\n" * 5
    decoded, name = decode(english.encode("gb18030"))
    assert name == "gb18030" and decoded == english
    # Latin-1 letters stand alone or before ASCII: still read as Latin text, not as Chinese pairs
    latin = "Why is naive Bayes called na\u00efve? A caf\u00e9-napkin assumption: features are independent. " * 5
    decoded, name = decode(latin.encode("latin-1"))
    assert name != "gb18030" and "caf\u00e9-napkin" in decoded


def test_binary_and_empty_pages_are_skipped(tmp_path: Path) -> None:
    binary = tmp_path / "image.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(SkipPage, match="binary"):
        load_page(binary)
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"  \n\n ")
    with pytest.raises(SkipPage, match="empty"):
        load_page(empty)


def test_format_by_content_not_only_suffix() -> None:
    html = "<!DOCTYPE html><html><body><h2>Q?</h2><p>A.</p></body></html>"
    assert sniff_format(Path("saved.txt"), html) == "html"
    assert sniff_format(Path("noext"), html) == "html"
    md = "# Title\n\n## What is X?\n\n- a\n- b\n\n```python\nx = 1\n```\n"
    assert sniff_format(Path("notes"), md) == "md"
    assert sniff_format(Path("notes.md"), "plain words") == "md"
    assert sniff_format(Path("page.txt"), "1、问题?\n### a heading-looking line\n") == "txt"


def test_slug_discover_and_meta(tmp_path: Path) -> None:
    (tmp_path / "a-page.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a-page.meta.yaml").write_text("title: T\nurl: https://example.org/x\nlang: zh\n", encoding="utf-8")
    (tmp_path / "b.markdown").write_text("# x\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("x", encoding="utf-8")
    assert [p.name for p in discover(tmp_path)] == ["a-page.txt", "b.markdown"]
    assert slug_for(tmp_path / "b.markdown") == "b"
    meta = read_meta(tmp_path / "a-page.txt")
    assert (meta.title, meta.url, meta.lang) == ("T", "https://example.org/x", "zh")


def test_bad_meta_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "p.meta.yaml").write_text("title: T\ncolour: red\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"p\.meta\.yaml:2: unknown key 'colour'"):
        read_meta(tmp_path / "p.txt")
    (tmp_path / "p.meta.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"p\.meta\.yaml:2: invalid YAML"):
        read_meta(tmp_path / "p.txt")


@pytest.mark.parametrize(("content", "message"), [
    ("title: [a, b]\n", r"p\.meta\.yaml:1: 'title' must be a string"),
    ("title: T\nlang: fr\n", r"p\.meta\.yaml:2: lang must be one of zh, en, not 'fr'"),
    ("tags: mine\n", r"p\.meta\.yaml:1: 'tags' must be a list of strings"),
    ("deck: 'Mine::'\n", r"p\.meta\.yaml:1: deck must be a deck name"),
    ("- a\n", r"p\.meta\.yaml:1: a meta file must be a mapping"),
])
def test_meta_types_are_checked_with_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "p.txt").write_text("1. 什么是RAG?\n", encoding="utf-8")
    (tmp_path / "p.meta.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        read_meta(tmp_path / "p.txt")
