"""What deckmill inferred about one page: block roles, the winning question signature and its runner-up, the
questions, what was dropped as junk, and the self-check findings (the data behind `deckmill inspect`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.clean import clean_page
from pipeline.config import Rules
from pipeline.extract import extract
from pipeline.models import CleanPage, Removal, SourceItems
from pipeline.roles import infer_roles
from pipeline.signature import Role, Scored, score_signatures, signature_of
from pipeline.sources import load_page


@dataclass(frozen=True)
class Inspection:
    """One page as deckmill read it."""

    page: CleanPage
    roles: tuple[Role, ...]
    signatures: tuple[Scored, ...]  # every candidate, best score first
    chosen: Scored | None  # the signature the page's questions were taken from
    runner_up: Scored | None
    source: SourceItems

    @property
    def junk(self) -> tuple[Removal, ...]:
        """Everything removed: by cleaning (site chrome, promo) and by extraction (preamble, title, sections)."""
        return tuple(sorted((*self.page.removals, *self.source.dropped), key=lambda r: r.line))


def structure_of(page: CleanPage, rules: Rules) -> tuple[tuple[Role, ...], tuple[Scored, ...], Scored | None,
                                                        Scored | None]:
    """(block roles, every signature scored, the chosen one, the runner-up) of a cleaned page."""
    blocks = list(page.blocks)
    roles = infer_roles(blocks, rules)
    scored = score_signatures(blocks, rules)
    used = Counter(found[0] for block, role in zip(blocks, roles, strict=True)
                   if role is Role.QUESTION and (found := signature_of(block, rules)) is not None)
    chosen = None
    if used:
        signature = used.most_common(1)[0][0]
        chosen = next((s for s in scored if s.signature == signature), None)
    runner_up = next((s for s in scored if chosen is None or s.signature != chosen.signature), None)
    return tuple(roles), tuple(scored), chosen, runner_up


def inspect_page(path: Path, rules: Rules) -> Inspection:
    """Clean and extract one page (nothing is written) and say how its structure was inferred."""
    page = clean_page(load_page(path), rules)
    roles, scored, chosen, runner_up = structure_of(page, rules)
    return Inspection(page, roles, scored, chosen, runner_up, extract(page, rules))
