"""The deckmill command line: thin Click commands over a Session; the only module that prints."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pipeline import __version__
from pipeline.config import load_rules
from pipeline.errors import DeckmillError
from pipeline.inspect_cmd import inspect
from pipeline.preview import write_preview
from pipeline.progress import StageProgress, bars_wanted, timings_line
from pipeline.project import resolve_layout
from pipeline.report import BuildReport, as_json, as_text
from pipeline.session import Paths, Session

F = TypeVar("F", bound=Callable[..., Any])


def _common(func: F) -> F:
    """Options every command takes."""
    options = [
        click.option("--raw", "raw", type=click.Path(path_type=Path), default=None,
                     help="Directory of raw pages and their .meta.yaml sidecars [default: raw/ of the project]."),
        click.option("--out", "out", type=click.Path(path_type=Path), default=None,
                     help="Output directory: YAML, ledger and .apkg files [default: decks/ of the project]."),
        click.option("--config", "config", type=click.Path(path_type=Path, exists=True, dir_okay=False),
                     default=None, help="A user rule file overlaid on the shipped rules [default: the project's "
                     "deckmill.yaml]."),
        click.option("--json", "as_json_", is_flag=True, help="Print the report as JSON."),
        click.option("-v", "--verbose", count=True, help="Say more (list every new/changed/retired card)."),
        click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors."),
        click.option("--debug", is_flag=True, help="Show a traceback on errors."),
        click.option("--strict", is_flag=True, help="Exit 1 when a page had to be skipped."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


_unanswered_option = click.option(
    "--include-unanswered/--no-include-unanswered", default=None,
    help="For this build only, make (or not) cards of questions no source answers (tagged needs-answer); "
         "the saved setting is `deck: include_unanswered` in deckmill.yaml.")


def _run(ctx: click.Context, kwargs: dict[str, Any], work: Callable[[Session], BuildReport | str]) -> None:
    progress = StageProgress(sys.stderr, bars_wanted(sys.stderr, kwargs["quiet"]))
    try:
        layout = resolve_layout(Path.cwd(), kwargs["raw"], kwargs["out"], kwargs["config"])
        session = Session(Paths(layout.raw, layout.out), load_rules(layout.config))
        session.progress = progress
        result = work(session)
    except DeckmillError as exc:
        if kwargs["debug"]:
            raise
        raise click.ClickException(str(exc)) from exc
    finally:
        progress.finish()
    if kwargs["verbose"] and not kwargs["quiet"] and timings_line(progress):
        click.echo(timings_line(progress), err=True)
    for name, reason in session.skipped:
        click.echo(f"skipped {name}: {reason}", err=True)
    if not kwargs["quiet"]:
        if isinstance(result, BuildReport):
            click.echo(as_json(result) if kwargs["as_json_"] else as_text(result, kwargs["verbose"] > 0))
        elif result:
            click.echo(result)
    if kwargs["strict"] and session.skipped:
        ctx.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deckmill")
def main() -> None:
    """deckmill: scraped interview-question pages -> deduplicated, tagged Anki decks.

    \b
    Example:
      deckmill build                 # raw/ -> decks/*.apkg (+ YAML, ledger)
    """


@main.command()
@_common
@_unanswered_option
@click.option("--refresh", is_flag=True, help="Also update notes whose only change is provenance (sources).")
@click.option("--preview", "with_preview", is_flag=True, help="Also write the review page (see `deckmill preview`).")
@click.pass_context
def build(ctx: click.Context, /, include_unanswered: bool | None, refresh: bool, with_preview: bool,
          **kwargs: Any) -> None:
    """Run the whole pipeline: clean, extract, dedup, cards and .apkg.

    \b
    Example:
      deckmill build --raw raw --out decks -v
    """
    def work(session: Session) -> BuildReport:
        report = session.build(include_unanswered, refresh, reuse_unchanged=not with_preview)
        if with_preview:
            written.append(write_preview(session, report))
        return report

    written: list[Path] = []
    _run(ctx, kwargs, work)
    for path in written:
        click.echo(f"wrote {path}", err=kwargs["quiet"] or kwargs["as_json_"])


@main.command()
@_common
@click.option("--report", "show_report", is_flag=True, help="Print every removal and repair with its rule.")
@click.pass_context
def clean(ctx: click.Context, /, show_report: bool, **kwargs: Any) -> None:
    """Clean raw pages into OUT/clean/<source>.yaml (blocks, removals, repairs, encoding).

    \b
    Example:
      deckmill clean --report
    """

    def work(session: Session) -> str:
        pages = session.clean()
        lines = []
        for page in pages:
            lines.append(f"{page.filename}: {page.fmt}, {page.encoding}, {page.lines_in} lines in, "
                         f"{len(page.blocks)} blocks kept, {len(page.removals)} removed, "
                         f"{len(page.repairs)} repaired")
            if show_report:
                lines += [f"  - [{r.rule}] line {r.line}: {r.text[:100]}" for r in page.removals]
                lines += [f"  + [{r.rule}] line {r.line}: {r.before[:60]} -> {r.after[:60]}" for r in page.repairs]
        return "\n".join(lines)

    _run(ctx, kwargs, work)


@main.command()
@_common
@click.pass_context
def extract(ctx: click.Context, /, **kwargs: Any) -> None:
    """Extract question/answer items from OUT/clean into OUT/yaml/<source>.yaml.

    \b
    Example:
      deckmill extract
    """

    def work(session: Session) -> str:
        return "\n".join(f"{s.filename}: {len(s.items)} questions, {sum(i.answered for i in s.items)} answered"
                         for s in session.extract())

    _run(ctx, kwargs, work)


@main.command()
@_common
@click.pass_context
def dedup(ctx: click.Context, /, **kwargs: Any) -> None:
    """Merge the same question across sources into OUT/yaml/merged.yaml.

    \b
    Example:
      deckmill dedup
    """

    def work(session: Session) -> str:
        clusters, related = session.dedup()
        merged = sum(len(c.members) - 1 for c in clusters)
        return f"{len(clusters)} cards from {len(clusters) + merged} questions; {len(related)} related pairs kept apart"

    _run(ctx, kwargs, work)


@main.command()
@_common
@_unanswered_option
@click.option("--refresh", is_flag=True, help="Also update notes whose only change is provenance.")
@click.pass_context
def apkg(ctx: click.Context, /, include_unanswered: bool | None, refresh: bool, **kwargs: Any) -> None:
    """Write the .apkg decks from OUT/yaml (items and merged.yaml) and update the ledger.

    \b
    Example:
      deckmill apkg --include-unanswered
    """
    _run(ctx, kwargs, lambda s: s.apkg(include_unanswered, refresh))


main.add_command(inspect)

from pipeline import cli_collection  # noqa: E402  (registers add, init, forget, list, show, preview on `main`)

__all__ = ["cli_collection", "main"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
