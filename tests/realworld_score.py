"""Score builds of the real-world corpus (../shared/realworld) against its hand-made expectations."""

from __future__ import annotations

import html
import os
import re
import shutil
import sqlite3
import tempfile
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.apkg import FIELDS
from pipeline.cards import NEEDS_REVIEW
from pipeline.config import Rules, load_rules
from pipeline.session import Paths, Session
from pipeline.stagefiles import read_items

ROOT = Path(__file__).resolve().parent.parent
# beside the project (../shared/realworld), or wherever DECKMILL_REALWORLD points (a clone made elsewhere)
CORPUS = Path(os.environ.get("DECKMILL_REALWORLD") or ROOT.parent / "shared" / "realworld")
NOW = 1_790_000_000

# the card fields a learner sees that come from the page (Sources, Extra and Id are deckmill's own)
VISIBLE_FIELDS = ("Question", "Answer", "OtherLangQuestion", "OtherLangAnswer", "OtherAnswers", "AlsoAskedAs")

_TAG = re.compile(r"<[^>]+>")
_LEAD = re.compile(
    r"^(?:(?:Q|Question|Problem|问题?|题目?|面试问|追问|主问题|子问题|Qn?)\s*\d*\s*[:：.、)）]?"
    r"|第\s*\d+\s*题|[【\[(（]?\d+(?:\.\d+)*[】\])）]?[.、．:：)）]?|[一二三四五六七八九十]+[、.．]"
    r"|[^\w$\\]+)\s*",
    re.I,
)
_TRAIL = re.compile(r"[\s?？。.!！:：;；,，、]+$")
# a front and an expected question match when one holds the other and the shorter is this much of the longer
MATCH_RATIO = 0.6


def visible(field_html: str) -> str:
    """A card field's visible text: tags dropped, entities unescaped, whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", field_html))).strip()


def norm(text: str) -> str:
    """Compare form: markup, leading numbering/labels/punctuation, trailing punctuation and all spaces dropped."""
    text = unicodedata.normalize("NFKC", visible(text)).replace("**", "").replace("__", "").replace("`", "")
    text = re.sub(r"\\[()\[\]]|\$", "", text)  # math delimiters: "$x$" on the page is "\(x\)" on the card
    text = text.strip()
    for _ in range(4):
        stripped = _LEAD.sub("", text, count=1).strip()
        if stripped == text or not stripped:
            break
        text = stripped
    text = _TRAIL.sub("", text)
    return re.sub(r"\s+", "", text).lower()


def matches(front: str, expected: str) -> bool:
    """Same question: equal, or one holds the other and is not much shorter (a kept label, a clipped '?')."""
    if not front or not expected:
        return False
    if front == expected:
        return True
    short, long = sorted((front, expected), key=len)
    return short in long and len(short) >= MATCH_RATIO * len(long)


@dataclass(frozen=True)
class CardView:
    """One built card as the learner sees it."""

    question: str
    fields: dict[str, str]
    tags: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.fields[name] for name in VISIBLE_FIELDS)


def read_package(path: Path) -> list[CardView]:
    """The notes of a built .apkg (fields in apkg.FIELDS order)."""
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(path) as archive:
            archive.extract("collection.anki2", tmp)
        con = sqlite3.connect(Path(tmp) / "collection.anki2")
        try:
            rows = con.execute("SELECT n.flds, n.tags FROM notes n JOIN cards c ON c.nid = n.id "
                               "ORDER BY c.due, n.id").fetchall()
        finally:
            con.close()
    cards = []
    for flds, tags in rows:
        values = dict(zip(FIELDS, (visible(v) for v in flds.split("\x1f")), strict=True))
        cards.append(CardView(values["Question"], values, tuple(str(tags).split())))
    return cards


@dataclass
class PageScore:
    """How one page came out against its expectation."""

    group: str
    slug: str
    cards: int
    min_pairs: int
    max_pairs: int
    expected: int
    found: int
    missing: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)
    not_question_cards: list[str] = field(default_factory=list)
    junk: list[str] = field(default_factory=list)
    soft_junk: list[str] = field(default_factory=list)
    samples_failed: list[str] = field(default_factory=list)
    needs_review: int = 0
    structure: str = ""
    skipped: str = ""

    @property
    def key(self) -> str:
        return f"{self.group}/{self.slug}"

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def range_miss(self) -> int:
        """How far the card count is outside the expected range (0 inside it)."""
        return max(0, self.min_pairs - self.cards, self.cards - self.max_pairs)

    @property
    def perfect(self) -> bool:
        return (not self.range_miss and self.found == self.expected and not self.not_question_cards
                and not self.junk and not self.samples_failed)

    def figures(self) -> dict[str, int]:
        """The figures a known-gap entry records (higher is worse except `found`)."""
        return {"range_miss": self.range_miss, "found": self.found, "spurious": len(self.spurious),
                "not_question_cards": len(self.not_question_cards), "junk": len(self.junk),
                "samples_failed": len(self.samples_failed)}


def _strings(entry: dict[str, Any], *keys: str) -> list[str]:
    return [str(s) for k in keys for s in (entry.get(k) or [])]


def _optional(entry: dict[str, Any]) -> list[str]:
    keys = [k for k in entry if k.startswith(("optional_", "link_only"))]
    return _strings(entry, *keys)


def structure_summary(items_file: Path) -> str:
    """What the extractor inferred, as far as its items file tells: numbering styles, sections, drops."""
    if not items_file.exists():
        return "no items"
    source = read_items(items_file)
    styles = Counter((i.number and "numbered") or "unnumbered" for i in source.items)
    sections = len({i.section for i in source.items if i.section})
    drops = Counter(d.rule for d in source.dropped)
    parts = [f"{n} {k}" for k, n in styles.most_common()]
    parts.append(f"{sections} sections")
    if drops:
        parts.append("dropped " + ", ".join(f"{k}×{n}" for k, n in drops.most_common(3)))
    return "; ".join(parts)


def score_page(group: str, entry: dict[str, Any], cards: list[CardView], structure: str, skipped: str) -> PageScore:
    expected = _strings(entry, "all_expected_questions")
    acceptable = [norm(q) for q in expected + _optional(entry) + [s["question"] for s in entry.get("samples") or []]]
    fronts = [norm(c.question) for c in cards]
    score = PageScore(group, entry["slug"], len(cards), int(entry["min_pairs"]), int(entry["max_pairs"]),
                      len(expected), 0, structure=structure, skipped=skipped)
    for question in expected:
        if any(matches(f, norm(question)) for f in fronts):
            score.found += 1
        else:
            score.missing.append(question)
    for card, front in zip(cards, fronts, strict=True):
        if not any(matches(front, q) for q in acceptable):
            score.spurious.append(card.question)
    banned = {norm(t) for t in _strings(entry, "not_questions", "must_not_be_cards")}
    score.not_question_cards = [c.question for c, f in zip(cards, fronts, strict=True) if f in banned]
    score.junk = [j for j in _strings(entry, "junk_must_not_appear") if any(j in c.text for c in cards)]
    score.soft_junk = [j for j in _strings(entry, "soft_junk") if any(j in c.text for c in cards)]
    for sample in entry.get("samples") or []:
        wanted = [str(f) for f in sample.get("must_contain") or []]
        if not any(all(f in c.question for f in wanted) for c in cards):
            score.samples_failed.append(str(sample["question"]))
    score.needs_review = sum(1 for c in cards if NEEDS_REVIEW in c.tags)
    return score


def build_page(page: Path, workdir: Path, rules: Rules) -> tuple[list[CardView], str, str]:
    """Build one page alone in a scratch raw/; returns its cards, structure summary and skip reason."""
    raw = workdir / "raw"
    raw.mkdir(parents=True)
    shutil.copy(page, raw / page.name)
    out = workdir / "decks"
    session = Session(Paths(raw, out), rules, now=NOW)
    report = session.build()
    cards = [c for path in sorted(out.glob("*.apkg")) for c in read_package(path)]
    slug = page.stem
    skipped = "; ".join(f"{name}: {why}" for name, why in report.skipped_pages)
    return cards, structure_summary(out / "yaml" / f"{slug}.yaml"), skipped


def groups(corpus: Path = CORPUS) -> list[Path]:
    """Every group folder of the corpus (one with an expected.yaml)."""
    return sorted(p.parent for p in corpus.glob("*/expected.yaml"))


def score_group(group: Path, rules: Rules | None = None) -> list[PageScore]:
    rules = rules or load_rules()
    expected = yaml.safe_load((group / "expected.yaml").read_text(encoding="utf-8"))
    scores = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, entry in enumerate(expected["files"]):
            cards, structure, skipped = build_page(group / entry["file"], Path(tmp) / str(index), rules)
            scores.append(score_page(group.name, entry, cards, structure, skipped))
    return scores


def score_corpus(corpus: Path = CORPUS) -> list[PageScore]:
    rules = load_rules()
    return [s for g in groups(corpus) for s in score_group(g, rules)]


@dataclass(frozen=True)
class Totals:
    """Sums over a set of pages."""

    pages: int
    in_range: int
    perfect: int
    cards: int
    expected: int
    found: int
    spurious: int
    not_question_cards: int
    junk: int

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def spurious_rate(self) -> float:
        return self.spurious / self.cards if self.cards else 0.0


def totals(scores: list[PageScore]) -> Totals:
    return Totals(len(scores), sum(1 for s in scores if not s.range_miss), sum(1 for s in scores if s.perfect),
                  sum(s.cards for s in scores), sum(s.expected for s in scores), sum(s.found for s in scores),
                  sum(len(s.spurious) for s in scores), sum(len(s.not_question_cards) for s in scores),
                  sum(len(s.junk) for s in scores))


def format_totals(name: str, t: Totals) -> str:
    return (f"{name:<10} pages {t.pages:>3}  in range {t.in_range:>3}  perfect {t.perfect:>3}  cards {t.cards:>4}  "
            f"recall {t.found}/{t.expected} = {t.recall:.3f}  spurious {t.spurious} ({t.spurious_rate:.1%})  "
            f"not-question cards {t.not_question_cards}  junk {t.junk}")


def format_page(s: PageScore, detail: bool = False) -> str:
    mark = "ok " if s.perfect else "-- "
    line = (f"{mark}{s.key:<45} cards {s.cards:>3} [{s.min_pairs}-{s.max_pairs}]  recall {s.found}/{s.expected}  "
            f"spurious {len(s.spurious)}  not-q {len(s.not_question_cards)}  junk {len(s.junk)}  "
            f"review {s.needs_review}  | {s.structure}")
    if s.skipped:
        line += f"  | skipped: {s.skipped}"
    if detail:
        for label, values in (("missing", s.missing), ("spurious", s.spurious), ("not-question", s.not_question_cards),
                              ("junk", s.junk), ("soft junk", s.soft_junk), ("sample", s.samples_failed)):
            line += "".join(f"\n      {label}: {v[:110]}" for v in values)
    return line


def load_known_gaps(path: Path) -> dict[str, dict[str, int]]:
    """tests/realworld_known_gaps.yaml: page key -> its recorded figures."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    return {str(k): {str(f): int(v) for f, v in figs.items()} for k, figs in ((data or {}).get("pages") or {}).items()}


def regressions(score: PageScore, recorded: dict[str, int]) -> list[str]:
    """How a known-gap page is worse than its recorded figures (empty: no worse)."""
    now = score.figures()
    worse = []
    for name, value in now.items():
        if name not in recorded:
            worse.append(f"{name}: not recorded")
        elif (value < recorded[name]) if name == "found" else (value > recorded[name]):
            worse.append(f"{name}: {value} (recorded {recorded[name]})")
    return worse


def tightened_gaps(scores: list[PageScore], recorded: dict[str, dict[str, int]]) -> tuple[dict[str, dict[str, int]],
                                                                                            list[str]]:
    """The known-gap table after a run: fixed pages leave, figures only ever tighten; also the pages newly added
    (a page not listed before: a new corpus page, or a regression the caller must not hide)."""
    table: dict[str, dict[str, int]] = {}
    added = []
    for score in scores:
        if score.perfect:
            continue
        now = score.figures()
        old = recorded.get(score.key)
        if old is None:
            added.append(score.key)
            table[score.key] = now
            continue
        table[score.key] = {k: (max(v, old.get(k, v)) if k == "found" else min(v, old.get(k, v)))
                            for k, v in now.items()}
    return table, added


def dump_known_gaps(path: Path, table: dict[str, dict[str, int]]) -> None:
    header = ("# Real-world pages not yet at their full expectation, with the figures they are held to (a ratchet:\n"
              "# tests/test_realworld.py fails when a page gets worse than this, or when a listed page is fixed and\n"
              "# should leave the list). Written by `make realworld ARGS=--update-gaps`, which only ever tightens.\n"
              "# range_miss: cards outside the expected range; found: expected questions found on a card front.\n")
    body = yaml.safe_dump({"pages": dict(sorted(table.items()))}, sort_keys=False, allow_unicode=True)
    path.write_text(header + body, encoding="utf-8")
