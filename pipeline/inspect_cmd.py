"""`deckmill inspect PAGE`: print the structure deckmill inferred for one page, so a user can see why it came out
as it did (and fix it with a rule in deckmill.yaml where inference cannot)."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.config import load_rules
from pipeline.errors import DeckmillError
from pipeline.inspection import Inspection, inspect_page
from pipeline.signature import Role, Scored


def _signature_line(label: str, scored: Scored | None) -> str:
    if scored is None:
        return f"{label}: none"
    return (f"{label}: {scored.signature.describe()} - {scored.members} blocks, {scored.questions} read as "
            f"questions, {scored.answered:.0%} followed by an answer, numbering {scored.regular:.0%} regular, "
            f"score {scored.score:.1f}")


def _short(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def render(result: Inspection, show_blocks: bool) -> str:
    """The inspection as text."""
    page, source = result.page, result.source
    lines = [f"{page.filename}: {page.fmt}, {page.encoding}, {page.lines_in} lines, {len(page.blocks)} blocks",
             _signature_line("signature", result.chosen), _signature_line("runner-up", result.runner_up)]
    answered = sum(1 for i in source.items if i.answered)
    lines.append(f"\nquestions ({len(source.items)}, {answered} answered):")
    for item in source.items:
        flags = f"  [{', '.join(item.flags)}]" if item.flags else ""
        section = f"{item.section} › " if item.section else ""
        lines.append(f"  L{item.line:<5} {section}{_short(item.question)}{flags}")
    lines.append(f"\njunk ({len(result.junk)}):")
    lines += [f"  L{r.line:<5} [{r.rule}] {_short(r.text, 90)}" for r in result.junk]
    lines.append(f"\nself-check findings ({len(source.findings)}):")
    for finding in source.findings:
        about = f" «{_short(finding.question, 60)}»" if finding.question else ""
        lines.append(f"  L{finding.line:<5} {finding.check}: {finding.detail}{about}")
    if show_blocks:
        lines.append("\nblocks:")
        for block, role in zip(page.blocks, result.roles, strict=True):
            mark = "▶" if role is Role.QUESTION else " "
            kind = f"{block.kind}{block.level or ''}"
            lines.append(f" {mark} L{block.line:<5} {role:<10} {kind:<8} {_short(block.text, 80)}")
    return "\n".join(lines)


@click.command()
@click.argument("page", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--config", "config", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="A user rule file overlaid on the shipped rules (default: ./deckmill.yaml if present).")
@click.option("--blocks", "show_blocks", is_flag=True, help="Also list every block with the role it was given.")
def inspect(page: Path, config: Path | None, show_blocks: bool) -> None:
    """Show the structure inferred for PAGE: the chosen question signature and the runner-up, the questions,
    the blocks dropped as junk, and the self-check findings. Nothing is written.

    \b
    Example:
      deckmill inspect raw/llm-notes.md --blocks
    """
    if config is None and Path("deckmill.yaml").is_file():
        config = Path("deckmill.yaml")
    try:
        result = inspect_page(page, load_rules(config))
    except DeckmillError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(render(result, show_blocks))
