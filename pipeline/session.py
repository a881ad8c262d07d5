"""A build session: assembles the stages (clean, extract, dedup, cards, apkg) over one raw/ and one out/ dir."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.apkg import note_type, templates_hash, write_package
from pipeline.cache import StageCache, code_fingerprint, input_fingerprint
from pipeline.cards import build_cards, fields_for
from pipeline.clean import clean_page
from pipeline.config import Rules
from pipeline.dedup import Related, cluster
from pipeline.errors import ConfigError, SkipPage
from pipeline.extract import extract
from pipeline.ledger import load_ledger, save_ledger, stamp_note_type
from pipeline.models import Card, CleanPage, Cluster, SourceItems
from pipeline.overrides import apply_decisions, load_overrides
from pipeline.report import BuildReport, source_figures
from pipeline.sources import META_SUFFIX, discover, load_page, slug_for
from pipeline.stagefiles import read_clean, read_items, read_merged, write_clean, write_items, write_merged


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
        return self.out / "yaml" / "merged.yaml"

    @property
    def ledger(self) -> Path:
        return self.out / "ledger.yaml"

    @property
    def overrides(self) -> Path:
        return self.out / "overrides.yaml"


def _prune(directory: Path, keep: set[str]) -> None:
    """Remove stage files of sources that are gone, so later stages never read stale pages."""
    if directory.is_dir():
        for path in directory.glob("*.yaml"):
            if path.stem not in keep and path.name != "merged.yaml":
                path.unlink()


def _package_name(root: str, rules: Rules) -> str:
    if root == rules.deck.deck_name:
        return f"{rules.deck.package_name}.apkg"
    safe = re.sub(r"[^\w.-]+", "_", root)
    return f"{rules.deck.package_name}-{safe}.apkg"


class Session:
    """Runs stages; never prints. `skipped` collects pages that could not be used, with the reason."""

    def __init__(self, paths: Paths, rules: Rules, now: int | None = None) -> None:
        self.paths = paths
        self.rules = rules
        self.now = int(now if now is not None else time.time())
        self.skipped: list[tuple[str, str]] = []

    def _pages(self) -> list[Path]:
        """The raw pages; two pages with the same source id (a.txt, a.md) are an error."""
        paths = discover(self.paths.raw)
        slugs = [slug_for(p) for p in paths]
        duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
        if duplicates:
            raise ConfigError(str(self.paths.raw), None, f"two pages share the source id {duplicates[0]!r}: rename one")
        return paths

    def clean(self) -> list[CleanPage]:
        pages: list[CleanPage] = []
        for path in self._pages():
            try:
                pages.append(clean_page(load_page(path), self.rules))
            except SkipPage as exc:
                self.skipped.append((path.name, str(exc)))
        for page in pages:
            write_clean(self.paths.clean_dir / f"{page.slug}.yaml", page)
        _prune(self.paths.clean_dir, {p.slug for p in pages})
        return pages

    def extract(self, pages: list[CleanPage] | None = None) -> list[SourceItems]:
        if pages is None:
            pages = [read_clean(p) for p in sorted(self.paths.clean_dir.glob("*.yaml"))]
        sources: list[SourceItems] = []
        for page in pages:
            items = extract(page, self.rules)
            if not items.items:
                self.skipped.append((page.filename, "no questions found"))
                continue
            sources.append(items)
            write_items(self.paths.yaml_dir / f"{items.slug}.yaml", items)
        _prune(self.paths.yaml_dir, {s.slug for s in sources})
        return sources

    def _read_sources(self) -> list[SourceItems]:
        return [read_items(p) for p in sorted(self.paths.yaml_dir.glob("*.yaml")) if p.name != "merged.yaml"]

    def dedup(self, sources: list[SourceItems] | None = None,
              write: bool = True) -> tuple[list[Cluster], list[Related]]:
        sources = self._read_sources() if sources is None else sources
        clusters, related = cluster(sources, self.rules.dedup)
        if write:  # a full build writes merged.yaml once, after the cards have their ids
            write_merged(self.paths.merged, clusters, related)
        return clusters, related

    def apkg(self, sources: list[SourceItems] | None = None, clusters: list[Cluster] | None = None,
             related: list[Related] | None = None, include_unanswered: bool = False,
             refresh: bool = False) -> BuildReport:
        sources = self._read_sources() if sources is None else sources
        if clusters is None:
            if not self.paths.merged.exists():
                raise ConfigError(str(self.paths.merged), None, "no merged file: run `deckmill dedup` first")
            clusters, related = read_merged(self.paths.merged)
        known = {(s.slug, i.id) for s in sources for i in s.items}
        for c in clusters:
            for m in c.members:
                if (m.source, m.item_id) not in known:
                    raise ConfigError(str(self.paths.merged), None,
                                      f"member {m.source}/{m.item_id} is not in the items files: run dedup again")
        ledger = load_ledger(self.paths.ledger)
        overrides = load_overrides(self.paths.overrides)
        clusters = apply_decisions(clusters, overrides, {c: set(e.members) for c, e in ledger.entries.items()})
        model = note_type(self.rules.deck, stamp_note_type(ledger, templates_hash(), self.now))
        cardset = build_cards(clusters, sources, ledger, self.rules, overrides, self.now, include_unanswered,
                              refresh)
        by_root: dict[str, list[tuple[Card, list[str]]]] = {}
        for card in (*cardset.cards, *cardset.retired):
            by_root.setdefault(card.deck.split("::")[0], []).append((card, fields_for(card)))
        packages = []
        for root, with_fields in sorted(by_root.items()):
            name = _package_name(root, self.rules)
            packages.append((name, write_package(self.paths.out / name, with_fields, model)))
        save_ledger(self.paths.ledger, ledger)
        ids = {c.members[0].source + "/" + c.members[0].item_id: c.card_id for c in cardset.cards if c.members}
        write_merged(self.paths.merged, clusters, related or [], ids)
        cards = list(cardset.cards)
        return BuildReport(
            sources=tuple(source_figures(sources, clusters, cards)),
            skipped_pages=tuple(self.skipped),
            new=tuple(c.card_id for c in cards if c.status == "new"),
            changed=tuple(c.card_id for c in cards if c.status == "changed"),
            unchanged=sum(1 for c in cards if c.status == "unchanged"),
            carried=tuple((c.card_id, c.carried_from) for c in cards if c.carried_from),
            retired=tuple(c.card_id for c in cardset.retired),
            not_carded=cardset.skipped,
            needs_review=tuple((f"{c.card_id} «{c.content.question}»", "; ".join(c.review_reasons))
                               for c in cards if c.review_reasons),
            packages=tuple(packages),
            deck_moves=cardset.deck_moves,
        )

    def _cached_sources(self) -> tuple[list[SourceItems], list[tuple[str, str]]]:
        """Clean and extract each page, or reuse its stage files when nothing it depends on changed."""
        cache = StageCache.load(self.paths.out / ".cache")
        code = code_fingerprint()
        sources: list[SourceItems] = []
        rebuilt: list[tuple[str, str]] = []
        seen: set[str] = set()
        for path in self._pages():
            slug = slug_for(path)
            seen.add(slug)
            outputs = [self.paths.clean_dir / f"{slug}.yaml", self.paths.yaml_dir / f"{slug}.yaml"]
            fingerprint = input_fingerprint(path, path.with_name(slug + META_SUFFIX), self.rules.fingerprint, code)
            why = cache.why_rebuild(slug, fingerprint, outputs)
            if not why:
                sources.append(read_items(outputs[1]))
                continue
            try:
                page = clean_page(load_page(path), self.rules)
            except SkipPage as exc:
                self.skipped.append((path.name, str(exc)))
                continue
            write_clean(outputs[0], page)
            items = extract(page, self.rules)
            if not items.items:
                self.skipped.append((path.name, "no questions found"))
                continue
            write_items(outputs[1], items)
            cache.record(slug, fingerprint, outputs)
            sources.append(items)
            rebuilt.append((slug, why))
        _prune(self.paths.clean_dir, seen)
        _prune(self.paths.yaml_dir, {s.slug for s in sources})
        cache.save({s.slug for s in sources})
        return sources, rebuilt

    def build(self, include_unanswered: bool = False, refresh: bool = False) -> BuildReport:
        sources, rebuilt = self._cached_sources()
        clusters, related = self.dedup(sources, write=False)
        report = self.apkg(sources, clusters, related, include_unanswered, refresh)
        return replace(report, rebuilt=tuple(rebuilt))
