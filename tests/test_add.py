"""`deckmill add` and `deckmill init`: files, a browser's saved folder, URLs from a local server, clashes, repeats."""

from __future__ import annotations

import contextlib
import gzip
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipeline.add import AddOptions, AddStatus, add_pages, slugify
from pipeline.cli import main
from pipeline.config import Rewrite, load_rules
from pipeline.fetch import fetch_rules, rewrite_url
from pipeline.session import Paths
from tests.conftest import FIXTURES, NOW, SEEDS_DIR, copy_raw, session_for

MD_PAGE = (FIXTURES / "english-interview.md").read_bytes()
HTML_PAGE = (FIXTURES / "saved-blog-h2-questions.html").read_bytes()
GBK_PAGE = ("<html><head><title>大模型面试</title></head><body><h2>1、什么是 LoRA?</h2>"
            "<p>LoRA 只训练低秩矩阵,冻结原模型权重。</p><h2>2、什么是 RAG?</h2><p>先检索相关文档,再让模型生成回答。</p>"
            "</body></html>").encode("gbk")
SCRIPT_SHELL = (b'<html><head><title>App</title></head><body><div id="root"></div>'
                b'<script src="a.js"></script></body></html>')

ROUTES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/notes/interview.md": (200, {"Content-Type": "text/markdown; charset=utf-8"}, MD_PAGE),
    "/blog/rag.html": (200, {"Content-Type": "text/html"}, HTML_PAGE),
    "/gz.html": (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, gzip.compress(HTML_PAGE)),
    "/gbk.html": (200, {"Content-Type": "text/html; charset=gbk"}, GBK_PAGE),
    "/moved": (301, {"Location": "/notes/interview.md"}, b""),
    "/raw/owner/repo/main/docs/interview.md": (200, {"Content-Type": "text/plain; charset=utf-8"}, MD_PAGE),
    "/app": (200, {"Content-Type": "text/html"}, SCRIPT_SHELL),
    "/picture.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + b"0" * 100),
    "/huge.html": (200, {"Content-Type": "text/html"}, b"<html>" + b"x" * 3_000_000),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status, headers, body = ROUTES.get(self.path, (404, {"Content-Type": "text/html"}, b"not found"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client hanging up (size limit)
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        del args


@pytest.fixture()
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _project(tmp_path: Path, *seeds: str) -> Paths:
    raw = copy_raw(tmp_path / "raw", *seeds) if seeds else tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    return Paths(raw, tmp_path / "decks")


def _add(paths: Paths, *origins: str, **options: object) -> list:  # type: ignore[type-arg]
    return add_pages(paths, load_rules(), list(origins), AddOptions(**options), NOW)  # type: ignore[arg-type]


def test_add_a_file_writes_page_and_meta_and_says_what_it_brings(tmp_path: Path) -> None:
    paths = _project(tmp_path)
    [result] = _add(paths, str(FIXTURES / "english-interview.md"), tags=("ml",), lang="en", deck="ML")
    assert result.status is AddStatus.ADDED and result.slug == "english-interview"
    assert (paths.raw / "english-interview.md").read_bytes() == MD_PAGE
    meta = yaml.safe_load((paths.raw / "english-interview.meta.yaml").read_text(encoding="utf-8"))
    assert meta == {"title": "Top 10 Machine Learning Engineer Interview Questions (2025)", "date": "2026-09-21",
                    "lang": "en", "deck": "ML", "tags": ["ml"]}
    impact = result.impact
    new_questions = {q for _, q in impact.new_cards}
    assert {"What is overfitting", "Explain the bias-variance trade-off"} <= new_questions
    assert "What is the vanishing gradient problem?" in impact.unanswered
    assert not impact.joined and not (paths.out / "ledger.yaml").exists()  # add never builds the user's decks


def test_a_page_that_repeats_known_questions_joins_their_cards(tmp_path: Path) -> None:
    paths = _project(tmp_path, "llm-attention-basics-series-1")
    session_for(tmp_path, paths.raw).build()
    ledger_before = (paths.out / "ledger.yaml").read_bytes()
    copy = tmp_path / "elsewhere" / "attention-again.txt"
    copy.parent.mkdir()
    original = (SEEDS_DIR / "llm-attention-basics-series-1.txt").read_text(encoding="utf-8")
    copy.write_text(original.replace("讲讲对Attention的理解?", "讲讲你对Attention的理解?"), encoding="utf-8")
    [result] = _add(paths, str(copy))
    joined = result.impact.joined
    assert len(joined) == result.impact.questions == 8 and not result.impact.new_cards
    assert all(j.card_id.startswith("dm-") and j.card_question for j in joined)
    assert (paths.out / "ledger.yaml").read_bytes() == ledger_before


def test_dry_run_writes_nothing_anywhere(tmp_path: Path) -> None:
    paths = _project(tmp_path, "llm-common-questions-general")
    session_for(tmp_path, paths.raw).build()
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    [result] = _add(paths, str(SEEDS_DIR / "llm-attention-basics-series-1.txt"), dry_run=True)
    # 8 questions: 7 new cards, and the attention question joins the general page's attention card
    assert result.status is AddStatus.WOULD_ADD and len(result.impact.new_cards) == 7
    assert len(result.impact.joined) == 1
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_the_same_page_twice_and_a_name_clash(tmp_path: Path) -> None:
    paths = _project(tmp_path)
    page = str(FIXTURES / "english-interview.md")
    assert _add(paths, page)[0].status is AddStatus.ADDED
    again = _add(paths, page)[0]
    assert again.status is AddStatus.ALREADY and again.note == "already added as english-interview"
    other = tmp_path / "other" / "english-interview.md"
    other.parent.mkdir()
    other.write_bytes(MD_PAGE.replace(b"Overfitting is", b"Over-fitting is"))
    clash = _add(paths, str(other))[0]
    assert clash.status is AddStatus.ADDED and clash.slug == "english-interview-2"
    assert clash.note == "another page is already called english-interview"
    assert (paths.raw / "english-interview.md").read_bytes() == MD_PAGE  # never overwritten


def test_a_browser_saved_page_brings_its_images(tmp_path: Path) -> None:
    paths = _project(tmp_path)
    saved = tmp_path / "Downloads" / "RAG 面试题 _ 博客.html"
    folder = saved.with_name(saved.stem + "_files")
    folder.mkdir(parents=True)
    saved.write_bytes(HTML_PAGE.replace(b"</body>", '<img src="./RAG 面试题 _ 博客_files/fig1.png"></body>'.encode()))
    (folder / "fig1.png").write_bytes(b"\x89PNG\r\n\x1a\nfig")
    (folder / "tracker.js").write_text("x()", encoding="utf-8")
    [result] = _add(paths, str(saved))
    assert result.slug == "rag-面试题-博客"
    assert (paths.raw / "rag-面试题-博客_files" / "fig1.png").read_bytes() == b"\x89PNG\r\n\x1a\nfig"
    assert not (paths.raw / "rag-面试题-博客_files" / "tracker.js").exists()


def test_add_urls_from_a_local_server(tmp_path: Path, server: str) -> None:
    paths = _project(tmp_path)
    md, gz, gbk, moved = _add(paths, f"{server}/notes/interview.md", f"{server}/gz.html", f"{server}/gbk.html",
                              f"{server}/moved")
    assert md.status is AddStatus.ADDED and (paths.raw / f"{md.slug}.md").read_bytes() == MD_PAGE
    meta = yaml.safe_load((paths.raw / f"{md.slug}.meta.yaml").read_text(encoding="utf-8"))
    assert meta["url"] == f"{server}/notes/interview.md" and meta["date"] == "2026-09-21"
    assert gz.status is AddStatus.ADDED and (paths.raw / f"{gz.slug}.html").read_bytes() == HTML_PAGE
    assert gbk.status is AddStatus.ADDED and gbk.slug == "大模型面试"
    assert (paths.raw / "大模型面试.html").read_bytes() == GBK_PAGE  # the bytes as served
    assert {q for _, q in gbk.impact.new_cards} == {"什么是 LoRA?", "什么是 RAG?"}
    assert moved.status is AddStatus.ALREADY  # same bytes as the first page, reached through a redirect


def test_a_code_host_blob_url_fetches_the_raw_file(tmp_path: Path, server: str) -> None:
    shipped = fetch_rules()
    assert rewrite_url("https://github.com/owner/repo/blob/main/docs/q.md", shipped) == \
        "https://raw.githubusercontent.com/owner/repo/main/docs/q.md"
    local = replace(shipped, rewrites=(Rewrite("local-blob", re.compile(r"^(http://127\.0\.0\.1:\d+)/(.+?)/blob/(.+)$"),
                                                r"\1/raw/\2/\3"),))
    paths = _project(tmp_path)
    [result] = add_pages(paths, load_rules(), [f"{server}/owner/repo/blob/main/docs/interview.md"], AddOptions(),
                         NOW, local)
    assert result.status is AddStatus.ADDED and (paths.raw / f"{result.slug}.md").read_bytes() == MD_PAGE


@pytest.mark.parametrize(("path", "message"), [
    ("/missing.html", "HTTP 404"),
    ("/picture.png", "not an HTML or text page (image/png)"),
    ("/app", "needs JavaScript to show its content: save it from the browser instead"),
])
def test_fetch_errors_are_one_line_and_write_nothing(tmp_path: Path, server: str, path: str, message: str) -> None:
    paths = _project(tmp_path)
    [result] = _add(paths, server + path)
    assert result.status is AddStatus.REFUSED and message in result.note and "\n" not in result.note
    assert list(paths.raw.iterdir()) == []


def test_too_large_a_page_is_refused(tmp_path: Path, server: str) -> None:
    paths = _project(tmp_path)
    small = replace(fetch_rules(), max_bytes=1_000_000)
    [result] = add_pages(paths, load_rules(), [f"{server}/huge.html"], AddOptions(), NOW, small)
    assert result.status is AddStatus.REFUSED and "too large" in result.note and list(paths.raw.iterdir()) == []


def test_slugs_are_safe_and_readable() -> None:
    assert slugify("LLM 面试题 (2024) | 知乎") == "llm-面试题-2024-知乎"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("___") == "page"
    assert len(slugify("x" * 200)) == 60


def test_init_then_add_and_build_from_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["init", "proj"])
    assert result.exit_code == 0, result.output
    project = tmp_path / "proj"
    assert (project / "raw").is_dir() and (project / "decks").is_dir()
    assert "decks/.cache/" in (project / ".gitignore").read_text(encoding="utf-8")
    assert load_rules(project / "deckmill.yaml").deck.deck_name == load_rules().deck.deck_name  # valid, all comments
    (project / "notes" / "week1").mkdir(parents=True)
    monkeypatch.chdir(project / "notes" / "week1")
    result = runner.invoke(main, ["add", str(SEEDS_DIR / "llm-common-questions-general.txt")])
    assert result.exit_code == 0, result.output
    assert "brings 12 questions: 12 new cards" in result.output
    assert (project / "raw" / "llm-common-questions-general.txt").exists()
    assert runner.invoke(main, ["build", "-q"]).exit_code == 0
    assert (project / "decks" / "deckmill.apkg").exists() and not (project / "notes" / "week1" / "decks").exists()
    assert runner.invoke(main, ["init", str(project)]).output.endswith("already a deckmill project\n")
    # explicit --raw/--out stay relative to the current folder
    local = project / "notes" / "week1" / "raw"
    copy_raw(local, "llm-attention-basics-series-1")
    assert runner.invoke(main, ["build", "-q", "--raw", "raw", "--out", "out"]).exit_code == 0
    assert (project / "notes" / "week1" / "out" / "deckmill.apkg").exists()


def test_cli_add_reports_errors_on_stderr_with_exit_1(tmp_path: Path, server: str) -> None:
    (tmp_path / "raw").mkdir()
    result = CliRunner().invoke(main, ["add", f"{server}/missing.html"])
    assert result.exit_code == 1 and f"Error: {server}/missing.html: HTTP 404" in result.output


def test_add_reports_the_pages_self_check_findings(tmp_path: Path) -> None:
    paths = _project(tmp_path)
    page = tmp_path / "gappy.md"
    page.write_text("# 10 Interview Questions\n\n## 1. What is A?\n\nA is a letter.\n\n## 2. What is B?\n\n"
                    "B follows A.\n\n## 4. What is D?\n\nD follows C.\n", encoding="utf-8")
    [result] = _add(paths, str(page))
    assert sorted(result.impact.findings) == [
        ("What is B?", "numbering-gap (2 is followed by 4: 3 missing)"),
        ("the page", "fewer-than-promised (the title promises 10 questions; 3 found)")]
    output = CliRunner().invoke(main, ["add", "--dry-run", str(page), "--raw", "raw2"]).output
    assert "self-check numbering-gap (2 is followed by 4: 3 missing): «What is B?»" in output


def test_title_and_url_describe_one_page_only(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["add", "--title", "Mine", str(FIXTURES / "english-interview.md"),
                                       str(FIXTURES / "casual-notes.md")])
    assert result.exit_code == 2 and "--title and --url describe one page" in result.output
    assert not (tmp_path / "raw").exists()


def test_a_projects_deckmill_yaml_sets_how_pages_are_fetched(tmp_path: Path, server: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    assert CliRunner().invoke(main, ["init", "proj"]).exit_code == 0
    config = tmp_path / "proj" / "deckmill.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "fetch:\n  max_bytes: 2000\n", encoding="utf-8")
    assert load_rules(config).fetch.max_bytes == 2000
    assert load_rules(config).fetch.rewrites == fetch_rules().rewrites  # the rest stays as shipped
    monkeypatch.chdir(tmp_path / "proj")
    result = CliRunner().invoke(main, ["add", f"{server}/huge.html"])
    assert "too large" in result.output and list((tmp_path / "proj" / "raw").iterdir()) == []
    config.write_text("fetch:\n  max_bytes: lots\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["add", f"{server}/huge.html"])
    assert result.exit_code == 1 and result.stderr.strip().splitlines() == [
        f"Error: {config}:2: expected a whole number, got 'lots'"]
