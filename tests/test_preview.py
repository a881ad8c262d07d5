"""The review page: every card as Anki renders it, offline; search and filters work in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from pipeline.cardtemplate import render_side
from pipeline.cli import main
from pipeline.config import load_rules
from pipeline.identity.ledger import load_ledger
from pipeline.inspection import inspect_page
from pipeline.preview import preview_path, write_preview
from pipeline.session import Session
from tests.conftest import NOW, SEEDS_DIR, copy_raw, session_for

SEEDS = ("llm-common-questions-general", "llm-attention-basics-series-1", "top-50-llm-interview-questions-bilingual",
         "llm-algorithm-interview-100")
STYLE = re.compile(r"^<style>.*?</style>", re.S)


@pytest.fixture()
def built(tmp_path: Path) -> tuple[Session, Path, int]:
    raw = copy_raw(tmp_path / "raw", *SEEDS)
    session = session_for(tmp_path, raw, NOW)
    report = session.build()
    return session, write_preview(session, report), report.packages[0][1]


def _articles(page: Path) -> list[BeautifulSoup]:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "lxml").select("article.pv-card")


def test_the_page_holds_every_card_and_loads_nothing(built: tuple[Session, Path, int]) -> None:
    _, page, notes = built
    text = page.read_text(encoding="utf-8")
    articles = _articles(page)
    assert len(articles) == notes >= 80  # the package is written by genanki, the page by preview.py
    # links a reader may follow are fine; nothing is *loaded* from elsewhere (scripts, styles, images, fonts)
    assert not re.search(r"""\bsrc\s*=\s*["']?(https?:)?//|<link\b|@import|url\(\s*["']?(https?:)?//""", text)
    statuses = {a["data-status"] for a in articles}
    assert statuses == {"new"}  # a first build: everything is new, and the change list says so
    assert text.count('class="pv-change" data-status="new"') == notes
    soup = BeautifulSoup(text, "lxml")
    uncarded = [row.get_text(" | ") for row in soup.select("#pv-uncarded tr")[1:]]
    assert "ChatGLM3的词表实现方法? | llm-algorithm-interview-100/" in "\n".join(uncarded)
    # the seed pages' 39 unanswered questions, less the one that joins an answered card (catastrophic forgetting)
    assert len(uncarded) == 38 and all(row.endswith("| no answer in any source") for row in uncarded)
    assert "灾难性遗忘" not in "\n".join(uncarded)
    pages = {tr.td.get_text(): [td.get_text() for td in tr.select("td")] for tr in soup.select("#pv-pages tr")[1:]}
    assert len(pages) == len(SEEDS) and "top-50-llm-interview-questions-bilingual" in pages
    chosen = inspect_page(SEEDS_DIR / "llm-attention-basics-series-1.txt", load_rules()).chosen
    assert chosen is not None and pages["llm-attention-basics-series-1"][4] == chosen.signature.describe()


def test_the_second_build_shows_what_changed(tmp_path: Path) -> None:
    raw = copy_raw(tmp_path / "raw", SEEDS[0], SEEDS[1])
    session_for(tmp_path, raw, NOW).build()
    only_removed = {c for c, e in load_ledger(tmp_path / "decks" / "ledger.yaml").entries.items()
                    if all(m.startswith(f"{SEEDS[0]}/") for m in e.members)}
    page = (raw / "llm-attention-basics-series-1.txt")
    page.write_text(page.read_text(encoding="utf-8").replace("讲讲对Attention的理解?", "讲讲对Attention的理解?\n"
                                                             "Attention 让模型按相关性加权汇总信息。\n", 1),
                    encoding="utf-8")
    (raw / "llm-common-questions-general.txt").unlink()
    before = {p.name: p.read_bytes() for p in (tmp_path / "decks").iterdir() if p.is_file()}
    result = CliRunner().invoke(main, ["preview", "--raw", str(raw), "--out", str(tmp_path / "decks")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote decks/deckmill.preview.html: ")
    after = {p.name: p.read_bytes() for p in (tmp_path / "decks").iterdir() if p.is_file()}
    assert after.pop("deckmill.preview.html") and after == before  # a preview builds on a scratch copy only
    soup = BeautifulSoup((tmp_path / "decks" / "deckmill.preview.html").read_text(encoding="utf-8"), "lxml")
    changes = soup.select("#pv-changes li.pv-change")
    retired = [c for c in changes if c["data-status"] == "retired"]
    assert {c.a["href"][1:] for c in retired} == only_removed and len(only_removed) >= 10
    assert "no longer in any source" in retired[0].get_text()
    changed = [c for c in changes if c["data-status"] == "changed"]
    assert len(changed) == 1 and "Attention 让模型按相关性加权汇总信息" in changed[0].get_text()


def test_build_preview_writes_the_page_beside_the_package(tmp_path: Path) -> None:
    copy_raw(tmp_path / "raw", SEEDS[0])
    result = CliRunner().invoke(main, ["build", "--preview"])
    assert result.exit_code == 0, result.output
    assert f"wrote {tmp_path / 'decks' / 'deckmill.preview.html'}" in result.output
    assert len(_articles(tmp_path / "decks" / "deckmill.preview.html")) == 12


def test_templates_render_as_anki_does() -> None:
    template = "<b>{{Q}}</b>{{#A}}<i>{{A}}</i>{{/A}}{{^A}}none{{/A}}{{#Missing}}x{{/Missing}}"
    assert render_side(template, {"Q": "<u>q</u>", "A": ""}) == "<b><u>q</u></b>none"
    assert render_side(template, {"Q": "q", "A": "<br>"}) == "<b>q</b>none"
    assert render_side(template, {"Q": "q", "A": "a"}) == "<b>q</b><i>a</i>"


def test_card_html_matches_a_real_anki_import(built: tuple[Session, Path, int]) -> None:
    anki = pytest.importorskip("anki.collection")
    session, page, notes = built
    text = page.read_text(encoding="utf-8")
    col = anki.Collection(str(session.paths.out.parent / "collection.anki2"))
    try:
        request = anki.ImportAnkiPackageRequest(package_path=str(session.paths.out / "deckmill.apkg"),
                                                options=anki.ImportAnkiPackageOptions())
        col.import_anki_package(request)
        col._clear_caches()
        card_ids = col.find_cards("")
        assert len(card_ids) == notes
        for cid in card_ids[::7]:
            card = col.get_card(cid)
            front, back = STYLE.sub("", card.question()), STYLE.sub("", card.answer())
            assert front.strip() and f'<div class="card pv-front">{front}</div>' in text
            assert f'<div class="card pv-back">{back}</div>' in text
    finally:
        col.close()


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("Chromium is missing: .ci/run installs the Debian package `chromium`")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


def _browser(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'chrome-profile'}", "--enable-logging=stderr", "--v=0"]
    return subprocess.run([_chromium(), *flags, *args], capture_output=True, text=True, timeout=120, check=False)


def test_the_page_in_headless_chromium(built: tuple[Session, Path, int], tmp_path: Path) -> None:
    session, page, notes = built
    assert page == preview_path(session)
    term = "self-attention"
    matching = [a for a in _articles(page) if term in a["data-text"]]
    assert 0 < len(matching) < notes
    everything = _browser(tmp_path, "--dump-dom", page.as_uri())
    dom = BeautifulSoup(everything.stdout, "lxml")
    assert len(dom.select("article.pv-card:not([hidden])")) == notes
    assert dom.select_one("#pv-count").get_text() == f"{notes} of {notes} cards"
    searched = _browser(tmp_path, "--dump-dom", f"{page.as_uri()}#q={term}&night=1")
    dom = BeautifulSoup(searched.stdout, "lxml")
    shown = dom.select("article.pv-card:not([hidden])")
    assert [a["id"] for a in shown] == [a["id"] for a in matching]
    assert "nightMode" in dom.select_one("#pv-cards")["class"]
    assert dom.select_one("#pv-errors").has_attr("hidden")
    for run in (everything, searched):
        assert not [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    shot = tmp_path / "preview.png"
    _browser(tmp_path, f"--screenshot={shot}", "--window-size=1280,1600", f"{page.as_uri()}#q={term}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
