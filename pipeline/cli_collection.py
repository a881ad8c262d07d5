"""CLI commands that grow and look after a collection: init, add, forget, list, show, preview; registered on `main`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from pipeline.add import AddOptions, AddResult, AddStatus, add_pages
from pipeline.catalog import cards, list_lines, show_lines
from pipeline.cli import _common, _run, _unanswered_option, main
from pipeline.errors import DeckmillError
from pipeline.forget import forget as forget_cards
from pipeline.forget import retired_ids
from pipeline.impact import impact_text
from pipeline.preview import preview_path, write_preview
from pipeline.project import init_project
from pipeline.proposals import accept as accept_proposals
from pipeline.proposals import read_proposals
from pipeline.scratch import scratch_copy
from pipeline.session import Session
from pipeline.sources import LANGS


@main.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=Path("."))
def init(folder: Path) -> None:
    """Make FOLDER a deckmill project: raw/, decks/, a commented deckmill.yaml and a .gitignore.

    deckmill then finds the project from any folder inside it.

    \b
    Example:
      deckmill init my-cards && cd my-cards && deckmill add ~/Downloads/page.html
    """
    try:
        made = init_project(folder)
    except DeckmillError as exc:
        raise click.ClickException(str(exc)) from exc
    for path in made:
        click.echo(f"created {path}{'/' if path.is_dir() else ''}")
    click.echo("next: deckmill add PAGE|URL, then deckmill build")


def _shown(path: Path) -> str:
    """A path as the person would type it from here."""
    return os.path.relpath(path) if path.is_absolute() else str(path)


def _describe(result: AddResult, raw: Path, verbose: bool) -> list[str]:
    where = _shown(raw / result.files[0] if result.files else raw)
    head = {AddStatus.ADDED: f"added {where}", AddStatus.WOULD_ADD: f"would add {where} (dry run: nothing written)",
            AddStatus.ALREADY: f"{result.origin}: {result.note}",
            AddStatus.REFUSED: result.note}[result.status]
    lines = [head]
    if result.status in (AddStatus.ADDED, AddStatus.WOULD_ADD):
        if result.note:
            lines[0] += f" ({result.note})"
        images = sum(1 for name in result.files if "/" in name)
        if images:
            lines[0] += f" with {images} images"
        lines += [f"  {line}" for line in impact_text(result.impact, verbose)] if result.impact else []
    return lines


@main.command()
@_common
@click.argument("pages", nargs=-1, required=True)
@click.option("--title", default="", help="The page's title (default: the page's own title).")
@click.option("--url", "page_url", default="", help="Where a file came from (recorded in its meta file).")
@click.option("--lang", type=click.Choice(LANGS), default=None, help="The page's language [default: guessed].")
@click.option("--deck", default="", help="Root deck for this page's new cards.")
@click.option("--tag", "tags", multiple=True, help="A tag for this page's cards (repeatable).")
@click.option("--dry-run", is_flag=True, help="Say what the pages would bring; write nothing.")
@click.pass_context
def add(ctx: click.Context, /, pages: tuple[str, ...], title: str, page_url: str, deck: str,
        tags: tuple[str, ...], dry_run: bool, lang: str | None, **kwargs: Any) -> None:
    """Save PAGES (files or URLs) into raw/ and say what each brings: new cards, questions joining existing
    cards, questions without an answer, self-check findings. The decks are not rebuilt: run `deckmill build`.

    \b
    Example:
      deckmill add ~/Downloads/llm-questions.html --tag llm
      deckmill add https://example.org/interview.md --dry-run
    """
    if len(pages) > 1 and (title or page_url):
        raise click.UsageError("--title and --url describe one page: add the pages one at a time")
    refused: list[str] = []

    def work(session: Session) -> str:
        options = AddOptions(title, page_url, lang or "", deck, tags, dry_run)
        results = add_pages(session.paths, session.rules, list(pages), options, session.now)
        lines: list[str] = []
        for result in results:
            if result.status is AddStatus.REFUSED:
                refused.append(result.note)
            else:
                lines += _describe(result, session.paths.raw, kwargs["verbose"] > 0)
        return "\n".join(lines)

    _run(ctx, kwargs, work)
    for line in refused:
        click.echo(f"Error: {line}", err=True)
    if refused:
        ctx.exit(1)


@main.command()
@_common
@click.argument("card_ids", nargs=-1)
@click.option("--retired", is_flag=True, help="Also forget every card retired from the sources.")
@click.pass_context
def forget(ctx: click.Context, /, card_ids: tuple[str, ...], retired: bool, **kwargs: Any) -> None:
    """Record cards you deleted in Anki (never_emit in overrides.yaml) so no re-import brings them back.

    Comments and order in overrides.yaml are kept.

    \b
    Example:
      deckmill forget dm-1a2b3c4d5e dm-6f7a8b9c0d
      deckmill forget --retired
    """
    if not card_ids and not retired:
        raise click.UsageError("give card ids (deckmill list TEXT finds them) or --retired")

    def work(session: Session) -> str:
        ids = [*card_ids, *(retired_ids(session.paths.ledger) if retired else [])]
        done = forget_cards(session.paths.overrides, session.paths.ledger, ids)
        lines = [f"forgot {c}" for c in done.added] + [f"{c} was already forgotten" for c in done.already]
        if done.added:
            lines.append(f"recorded in {_shown(session.paths.overrides)}; the next build leaves them out")
        return "\n".join(lines) or "nothing to forget"

    _run(ctx, kwargs, work)


@main.command(name="list")
@_common
@click.argument("text", default="")
@click.pass_context
def list_(ctx: click.Context, /, text: str, **kwargs: Any) -> None:
    """List the cards of the last build whose id, question or answer contains TEXT.

    \b
    Example:
      deckmill list LoRA
    """
    _run(ctx, kwargs, lambda s: "\n".join(list_lines(cards(s.paths.ledger, s.paths.overrides, text))))


@main.command()
@_common
@click.argument("card_id")
@click.pass_context
def show(ctx: click.Context, /, card_id: str, **kwargs: Any) -> None:
    """Show one card: question, answer summary, sources, status, deck and tags.

    \b
    Example:
      deckmill show dm-1a2b3c4d5e
    """
    _run(ctx, kwargs, lambda s: "\n".join(show_lines(s.paths.ledger, s.paths.overrides, card_id)))


@main.command()
@_common
@_unanswered_option
@click.pass_context
def preview(ctx: click.Context, /, include_unanswered: bool | None, **kwargs: Any) -> None:
    """Write the review page OUT/deckmill.preview.html: every card as Anki shows it (day and night), merges,
    near-misses, questions without a card, and what the next build changes. Open it in any browser, offline.

    The build runs on a scratch copy: nothing but the page is written (`build --preview` builds for real).

    \b
    Example:
      deckmill preview && xdg-open decks/deckmill.preview.html
    """
    def work(session: Session) -> str:
        with scratch_copy(session.paths) as scratch:
            trial = Session(scratch, session.rules, session.now)
            report = trial.build(include_unanswered)
            path = write_preview(trial, report, preview_path(session))
        session.skipped.extend(trial.skipped)
        live = sum(1 for c in trial.last_cards if not c.retired)
        return (f"wrote {_shown(path)}: {live} cards, {len(report.new)} new, {len(report.changed)} changed, "
                f"{len(report.retired)} retired since the last build")

    _run(ctx, kwargs, work)


@main.command()
@_common
@click.argument("card_ids", nargs=-1)
@click.option("--accept", is_flag=True, help="Accept the proposed merges (all, or those naming CARD_IDS).")
@click.pass_context
def merge(ctx: click.Context, /, card_ids: tuple[str, ...], accept: bool, **kwargs: Any) -> None:
    """List the merges the last build proposed between two cards you already study, or accept them.

    Two published cards are never merged behind your back: accepting writes `merge:` in overrides.yaml
    (comments and order kept); the next build keeps the first card and retires the other.

    \b
    Example:
      deckmill merge
      deckmill merge --accept dm-1a2b3c4d5e
    """

    def work(session: Session) -> str:
        proposed = read_proposals(session.paths.proposals)
        if not accept:
            return "\n".join(f"{p.keep} «{p.keep_question}» = {p.merge} «{p.merge_question}» (similarity {p.score})"
                             for p in proposed) or "no merge proposed"
        done = accept_proposals(session.paths.overrides, proposed, card_ids)
        lines = [f"accepted: {p.merge} merges into {p.keep}" for p in done]
        return "\n".join(lines + ([f"recorded in {session.paths.overrides}; run deckmill build"] if done else [])) \
            or "nothing new to accept"

    _run(ctx, kwargs, work)
