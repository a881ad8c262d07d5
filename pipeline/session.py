"""A build session: assembles the stages (clean, extract, dedup, cards, apkg) over one raw/ and one out/ dir."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from pipeline import steady
from pipeline.apkg import note_type, templates_hash, write_package
from pipeline.cache import StageCache, code_fingerprint, input_fingerprint
from pipeline.cards import compose, fields_for
from pipeline.composememo import ComposeMemo
from pipeline.config import Rules
from pipeline.dedup import Related, cluster
from pipeline.errors import ConfigError
from pipeline.gcpause import paused_gc, settle, settled_gc
from pipeline.identity.claim import Group, claim
from pipeline.identity.decide import Composed, decide
from pipeline.identity.ledger import Ledger, read_ledger, save_ledger
from pipeline.identity.primary import PrimaryReason
from pipeline.identity.reword import rewording_matcher
from pipeline.lock import project_lock
from pipeline.media import media_index
from pipeline.models import Card, CardStatus, CleanPage, Cluster, QAItem, SourceItems
from pipeline.overrides import Overrides, apply_decisions, load_overrides
from pipeline.pagework import PageDirs, Skip, build_pages, clean_one, default_workers, extract_one
from pipeline.proposals import write_proposals
from pipeline.render import load_memo, save_memo
from pipeline.report import BuildReport, source_figures
from pipeline.sources import META_SUFFIX, discover, page_images, slug_for
from pipeline.stagefiles import read_clean, read_items, read_merged, write_merged
from pipeline.tags import ClassifyMemo

T = TypeVar("T")
PACKAGE = "deckmill.apkg"  # always this path, whatever deck names are configured (they live inside it)


@dataclass(frozen=True)
class Paths:
    """Where a session reads and writes."""

    raw: Path
    out: Path

    @property
    def clean_dir(self) -> Path:
        return self.out / "clean"

    @property
    def yaml_dir(self) -> Path:
        return self.out / "yaml"

    @property
    def merged(self) -> Path:
        return self.out / "merged.yaml"  # beside, not inside, the per-page folder: any page name is allowed

    @property
    def ledger(self) -> Path:
        return self.out / "ledger.yaml"

    @property
    def proposals(self) -> Path:
        return self.out / "proposals.yaml"

    @property
    def dedup_index(self) -> Path:
        return self.out / ".cache" / "dedup-index.json"

    @property
    def compose_memo(self) -> Path:
        return self.out / ".cache" / "composed.pickle"

    @property
    def parsed_cache(self) -> Path:
        return self.out / ".cache" / "parsed"

    @property
    def overrides(self) -> Path:
        return self.out / "overrides.yaml"


def _prune(directory: Path, keep: set[str]) -> None:
    """Remove stage files of sources that are gone, so later stages never read stale pages."""
    if directory.is_dir():
        for path in directory.glob("*.yaml"):
            if path.stem not in keep:
                path.unlink()


def stamp_note_type(ledger: Ledger, digest: str, now: int) -> Ledger:
    """The note type's mod is the time its templates/CSS last changed, strictly increasing."""
    if ledger.note_type_hash == digest:
        return ledger
    return replace(ledger, note_type_hash=digest, note_type_mod=max(now, ledger.note_type_mod + 1))


def _no_progress(stage: str, done: int, total: int) -> None:
    del stage, done, total


def _ignored_primaries(overrides: Overrides, composed: list[Composed]) -> tuple[str, ...]:
    """Say so when a `primary:` override cannot be followed (its member is not in that card)."""
    used = {c.group.card_id for c in composed if c.primary_reason is PrimaryReason.USER}
    return tuple(f"overrides.yaml: primary for {card} names {member}, which is not a question of that card: ignored"
                 for card, member in sorted(overrides.primary.items()) if card not in used)


class Session:
    """Runs stages; never prints. `skipped` collects pages that could not be used, with the reason."""

    def __init__(self, paths: Paths, rules: Rules, now: int | None = None) -> None:
        self.paths = paths
        self.rules = rules
        self.now = int(now if now is not None else time.time())
        self.skipped: list[tuple[str, str]] = []
        self.last_cards: tuple[Card, ...] = ()  # the cards the last publish wrote (emitted and retired)
        self.progress: Callable[[str, int, int], None] = _no_progress  # (stage, done, total): the CLI draws bars
        self.workers = default_workers()  # processes for the per-page stages of a large rebuild (1: none)

    def _pages(self) -> list[Path]:
        """The raw pages; two pages with the same source id (a.txt, a.md) are an error."""
        paths = discover(self.paths.raw)
        slugs = Counter(slug_for(p) for p in paths)
        duplicates = sorted(s for s, n in slugs.items() if n > 1)
        if duplicates:
            raise ConfigError(str(self.paths.raw), None, f"two pages share the source id {duplicates[0]!r}: rename one")
        return paths

    # -- the per-page pipeline: one page in, its clean file and items file out -------------------------
    @property
    def _dirs(self) -> PageDirs:
        return PageDirs(self.paths.clean_dir, self.paths.yaml_dir, self.paths.parsed_cache)

    def _kept(self, result: T | Skip) -> T | None:
        """The result of a per-page stage, or None when the page was skipped (and noted in `skipped`)."""
        if isinstance(result, tuple):
            self.skipped.append(result)
            return None
        return result

    def _clean_one(self, path: Path) -> CleanPage | None:
        return self._kept(clean_one(path, self.rules, self._dirs))

    def _extract_one(self, page: CleanPage) -> SourceItems | None:
        return self._kept(extract_one(page, self.rules, self._dirs))

    def clean(self) -> list[CleanPage]:
        with project_lock(self.paths.out):
            pages = [p for p in map(self._clean_one, self._pages()) if p is not None]
            _prune(self.paths.clean_dir, {p.slug for p in pages})
        return pages

    def extract(self) -> list[SourceItems]:
        with project_lock(self.paths.out):
            pages = [read_clean(p) for p in sorted(self.paths.clean_dir.glob("*.yaml"))]
            sources = [s for s in map(self._extract_one, pages) if s is not None]
            _prune(self.paths.yaml_dir, {s.slug for s in sources})
        return sources

    def _migrate_layout(self) -> None:
        """The first release kept merged.yaml among the per-page items files: move it beside them."""
        old = self.paths.yaml_dir / "merged.yaml"
        if old.exists() and not self.paths.merged.exists() and "related_not_merged" in old.read_text("utf-8"):
            old.replace(self.paths.merged)

    def _read_sources(self) -> list[SourceItems]:
        self._migrate_layout()
        return [read_items(p) for p in sorted(self.paths.yaml_dir.glob("*.yaml"))]

    def dedup(self) -> tuple[list[Cluster], list[Related]]:
        with project_lock(self.paths.out):
            clusters, related = cluster(self._read_sources(), self.rules.dedup, self.paths.dedup_index)
            write_merged(self.paths.merged, clusters, related)
        return clusters, related

    def include_unanswered(self, flag: bool | None) -> tuple[bool, tuple[str, ...]]:
        """The setting in force: deckmill.yaml's `deck: include_unanswered`, unless a flag overrides it once."""
        saved = self.rules.deck.include_unanswered
        if flag is None or flag == saved:
            return saved, ()
        state = "on" if flag else "off"
        return flag, (f"include_unanswered is {state} for this build only (deckmill.yaml says "
                      f"{'on' if saved else 'off'}): set `deck: include_unanswered: {str(flag).lower()}` to keep it",)

    def apkg(self, include_unanswered: bool | None = None, refresh: bool = False) -> BuildReport:
        """Cards and the package from the items files and merged.yaml (the `apkg` command alone)."""
        with project_lock(self.paths.out), settled_gc():
            if not self.paths.merged.exists():
                raise ConfigError(str(self.paths.merged), None, "no merged file: run `deckmill dedup` first")
            sources = self._read_sources()
            clusters, related = read_merged(self.paths.merged)
            return self._publish(sources, clusters, related, include_unanswered, refresh)

    def _compose(self, groups: list[Group], items: dict[str, QAItem], by_slug: dict[str, SourceItems], ledger: Ledger,
                 overrides: Overrides, unanswered: bool,
                 pages: dict[str, str] | None) -> tuple[list[Composed], ComposeMemo]:
        """Each group's card; those whose inputs are what they were last build are taken from the compose memo (saved
        by the caller once the cards' fields are known)."""
        cache = self.paths.out / ".cache"
        code = code_fingerprint()
        tag_memo = ClassifyMemo.load(cache / "tags.json", self.rules.taxonomy, self.rules.fingerprint + code)
        cards_memo = ComposeMemo.load(self.paths.compose_memo, f"{self.rules.fingerprint} {code} {unanswered}")
        composed = cards_memo.compose_all(
            groups, ledger.entries, overrides, pages,
            lambda g, entry: compose(g, items, by_slug, entry, self.rules, overrides, unanswered, tag_memo.classify))
        tag_memo.save(cache / "tags.json")  # the topics of the cards composed (the others' are in the compose memo)
        return composed, cards_memo

    def _publish(self, sources: list[SourceItems], clusters: list[Cluster], related: list[Related],
                 include_unanswered: bool | None, refresh: bool, pages: dict[str, str] | None = None) -> BuildReport:
        """Cards, ledger and package. `pages`: each source's input fingerprint, when known (composed cards are then
        remembered between builds under them)."""
        items = {f"{s.slug}/{i.id}": i for s in sources for i in s.items}
        for c in clusters:
            for m in c.members:
                if f"{m.source}/{m.item_id}" not in items:
                    raise ConfigError(str(self.paths.merged), None,
                                      f"member {m.source}/{m.item_id} is not in the items files: run dedup again")
        unanswered, settings = self.include_unanswered(include_unanswered)
        ledger, texts = read_ledger(self.paths.ledger, self.paths.parsed_cache)
        settle()  # the ledger too
        previous = ledger
        overrides = load_overrides(self.paths.overrides)
        if overrides.merge or overrides.keep_apart:  # (each card's members, as the ledger has seen them)
            clusters = apply_decisions(clusters, overrides, {c: set(e.members) for c, e in ledger.entries.items()})
        asked = {k: (i.question, i.lang, i.answer) for k, i in items.items()}
        groups, proposals = claim(ledger, clusters, asked, overrides.merge, rewording_matcher(self.rules.dedup))
        with paused_gc():  # composing, deciding and packaging make a great many objects and no garbage cycles
            composed, cards_memo = self._compose(groups, items, {s.slug: s for s in sources}, ledger, overrides,
                                                 unanswered, pages)
            settle()  # the cards composed
            outcome = decide(ledger, composed, frozenset(items), overrides.never_emit, refresh, self.now)
            settle()  # the cards decided
            self.last_cards = outcome.cards
            ledger = stamp_note_type(outcome.ledger, templates_hash(), self.now)
            model = note_type(self.rules.deck, ledger.note_type_mod)
            memo, version = self.paths.out / ".cache" / "rendered.json", code_fingerprint()
            load_memo(memo, version)
            name = PACKAGE
            written = write_package(self.paths.out / name, cards_memo.fields_all(outcome.cards, fields_for), model,
                                    media_index(self.paths.raw))
            settle()  # the fields rendered
            if pages is not None:
                cards_memo.save(self.paths.compose_memo)
        save_memo(memo, version)
        for stale in self.paths.out.glob("deckmill-*.apkg"):
            stale.unlink()  # one package per root deck was the first release's layout
        if ledger != previous or not self.paths.ledger.exists():
            save_ledger(self.paths.ledger, ledger, self.paths.parsed_cache, texts)
        write_proposals(self.paths.proposals, tuple(proposals), ledger)
        live = [c for c in outcome.cards if not c.retired]
        write_merged(self.paths.merged, [g.cluster for g in groups], related, outcome.card_of,
                     self.paths.out / ".cache" / "written")
        return BuildReport(
            sources=tuple(source_figures(sources, [g.cluster for g in groups], live)),
            skipped_pages=tuple(self.skipped),
            changes=outcome.changes,
            unchanged=sum(1 for c in live if c.status is CardStatus.UNCHANGED),
            still_retired=sum(1 for c in outcome.cards if c.status is CardStatus.STILL_RETIRED),
            carried=tuple((c.card_id, c.carried_from) for c in live if c.carried_from),
            not_carded=outcome.not_carded,
            needs_review=tuple((f"{c.card_id} «{c.content.question}»", "; ".join(c.review_reasons))
                               for c in live if c.review_reasons),
            packages=((name, written),),
            deck_moves=outcome.deck_moves,
            primary_moves=outcome.primary_moves,
            proposals=tuple(proposals),
            settings=settings + _ignored_primaries(overrides, composed),
        )

    def _cached_sources(self) -> tuple[list[SourceItems], list[tuple[str, str]], dict[str, str]]:
        """Run the per-page pipeline on each page (in worker processes when many pages must be rebuilt), or reuse
        its stage files when nothing it depends on changed. Sources, skips and files are the same either way.
        Also returns why each rebuilt page was, and the input fingerprint of each source."""
        cache = StageCache.load(self.paths.out / ".cache")
        code = code_fingerprint()
        found: dict[str, SourceItems] = {}
        prints: dict[str, str] = {}
        stale: list[tuple[Path, str, str, list[Path]]] = []  # (page, its fingerprint, why rebuilt, its outputs)
        pages = self._pages()
        self.progress("pages", 0, len(pages))
        for path in pages:
            slug = slug_for(path)
            outputs = [self.paths.clean_dir / f"{slug}.yaml", self.paths.yaml_dir / f"{slug}.yaml"]
            fingerprint = input_fingerprint(path, path.with_name(slug + META_SUFFIX), self.rules.fingerprint, code,
                                            page_images(path))
            why = cache.why_rebuild(slug, fingerprint, outputs)
            prints[slug] = fingerprint
            if why:
                stale.append((path, fingerprint, why, outputs))
            else:
                found[slug] = read_items(outputs[1], self.paths.parsed_cache)
                self.progress("pages", len(found), len(pages))
        rebuilt: list[tuple[str, str]] = []
        built = build_pages([path for path, *_ in stale], self.rules, self._dirs, self.workers)
        for done, ((path, fingerprint, why, outputs), result) in enumerate(zip(stale, built, strict=True), 1):
            self.progress("pages", len(pages) - len(stale) + done, len(pages))
            items = self._kept(result)
            if items is not None:
                slug = slug_for(path)
                cache.record(slug, fingerprint, outputs)
                found[slug] = items
                rebuilt.append((slug, why))
        sources = [found[slug] for slug in map(slug_for, pages) if slug in found]
        _prune(self.paths.clean_dir, set(map(slug_for, pages)))
        _prune(self.paths.yaml_dir, {s.slug for s in sources})
        cache.save({s.slug for s in sources})
        return sources, rebuilt, {s.slug: prints[s.slug] for s in sources}

    def _steady_key(self, sources: list[SourceItems], include_unanswered: bool | None, refresh: bool) -> str:
        parts = [self.rules.fingerprint, code_fingerprint(), templates_hash(), repr(include_unanswered),
                 repr(self.rules.deck.include_unanswered), repr(refresh), *sorted(media_index(self.paths.raw))]
        files = [self.paths.yaml_dir / f"{s.slug}.yaml" for s in sources] + [self.paths.ledger, self.paths.overrides]
        return steady.inputs_key(parts, files)

    def build(self, include_unanswered: bool | None = None, refresh: bool = False,
              reuse_unchanged: bool = False) -> BuildReport:
        """The whole pipeline, incremental per page; one build at a time per output folder.

        With `reuse_unchanged`, a build whose inputs are exactly what the last build left behind is skipped (it
        would change nothing) and reports every card unchanged; `last_cards` is then empty.
        """
        with project_lock(self.paths.out), settled_gc():
            self._migrate_layout()
            sources, rebuilt, prints = self._cached_sources()
            settle()  # every page's items stay alive to the end
            memo = self.paths.out / ".cache" / "steady.json"
            outputs = [self.paths.ledger, self.paths.merged, self.paths.out / PACKAGE, self.paths.proposals]
            if reuse_unchanged and not rebuilt:
                settled = steady.load(memo, self._steady_key(sources, include_unanswered, refresh))
                if settled is not None:
                    return replace(settled, skipped_pages=tuple(self.skipped))
            with paused_gc():  # dedup and publishing make a great many objects and no garbage cycles
                self.progress("dedup", 0, 1)
                clusters, related = cluster(sources, self.rules.dedup, self.paths.dedup_index)
                settle()  # the dedup index, restored or built, and the clusters
                self.progress("cards", 0, 1)
                report = self._publish(sources, clusters, related, include_unanswered, refresh, prints)
            steady.save(memo, self._steady_key(sources, include_unanswered, refresh), outputs, report)
            self.progress("cards", 1, 1)
        return replace(report, rebuilt=tuple(rebuilt))
