"""The reviewable files between stages: cleaned pages, per-source items, merged clusters (YAML, versioned)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pipeline.dedup import Related
from pipeline.errors import ConfigError
from pipeline.mergedtext import merged_text
from pipeline.models import (
    Block,
    Check,
    CleanPage,
    Cluster,
    Finding,
    Member,
    QAItem,
    Removal,
    Repair,
    SourceItems,
    SourceMeta,
)
from pipeline.snapshot import keep_snapshot, load_snapshot
from pipeline.yamlio import dump_yaml, read_yaml, require, write_text, write_yaml

SCHEMA = 1


def _meta_dict(meta: SourceMeta) -> dict[str, Any]:
    out: dict[str, Any] = {"title": meta.title, "url": meta.url, "lang": meta.lang}
    if meta.license:
        out["license"] = meta.license
    if meta.deck:
        out["deck"] = meta.deck
    if meta.tags:
        out["tags"] = list(meta.tags)
    return out


def _meta(data: dict[str, Any]) -> SourceMeta:
    return SourceMeta(str(data.get("title", "")), str(data.get("url", "")), str(data.get("lang", "")),
                      str(data.get("license", "")), str(data.get("deck", "")),
                      tuple(str(t) for t in data.get("tags", []) or []))


def _check_schema(data: Any, path: Path) -> dict[str, Any]:
    schema = require(data, "schema", int, path)
    if schema != SCHEMA:
        raise ConfigError(str(path), 1, f"schema {schema} is not supported (expected {SCHEMA})")
    assert isinstance(data, dict)
    return data


def write_clean(path: Path, page: CleanPage) -> None:
    write_yaml(path, {
        "schema": SCHEMA,
        "source": page.slug,
        "file": page.filename,
        "format": page.fmt,
        "encoding": page.encoding,
        "meta": _meta_dict(page.meta),
        "lines_in": page.lines_in,
        "blocks": [{k: v for k, v in (("kind", b.kind), ("text", b.text), ("level", b.level), ("lang", b.lang),
                                       ("line", b.line), ("answer", b.answer)) if v or k in ("kind", "text")}
                   for b in page.blocks],
        "removed": [{"rule": r.rule, "line": r.line, "text": r.text} for r in page.removals],
        "repaired": [{"rule": r.rule, "line": r.line, "before": r.before, "after": r.after} for r in page.repairs],
    })


def read_clean(path: Path) -> CleanPage:
    data = _check_schema(read_yaml(path), path)
    try:
        return CleanPage(
            slug=data["source"], filename=data["file"], fmt=data["format"], encoding=data["encoding"],
            meta=_meta(data.get("meta") or {}), lines_in=int(data["lines_in"]),
            blocks=tuple(Block(b["kind"], b["text"], int(b.get("level", 0)), b.get("lang", ""),
                               int(b.get("line", 0)), b.get("answer", "")) for b in data["blocks"]),
            removals=tuple(Removal(r["rule"], r["text"], int(r["line"])) for r in data.get("removed", [])),
            repairs=tuple(Repair(r["rule"], r["before"], r["after"], int(r["line"]))
                          for r in data.get("repaired", [])),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(str(path), None, f"malformed cleaned page: {exc}") from exc


def items_dict(source: SourceItems) -> dict[str, Any]:
    items = []
    for item in source.items:
        entry: dict[str, Any] = {"id": item.id, "number": item.number, "line": item.line, "section": item.section,
                                 "lang": item.lang, "question": item.question, "answer": item.answer}
        if item.alt_question or item.alt_answer:
            entry.update({"alt_lang": item.alt_lang, "alt_question": item.alt_question,
                          "alt_answer": item.alt_answer})
        if item.flags:
            entry["flags"] = list(item.flags)
        items.append(entry)
    return {
        "schema": SCHEMA,
        "source": source.slug,
        "file": source.filename,
        "format": source.fmt,
        "encoding": source.encoding,
        "meta": _meta_dict(source.meta),
        "lines_in": source.lines_in,
        "junk_removed": source.junk_removed,
        "questions": len(source.items),
        "answered": sum(1 for i in source.items if i.answered),
        "items": items,
        "dropped": [{"rule": d.rule, "line": d.line, "text": d.text} for d in source.dropped],
        "repaired": [{"rule": r.rule, "line": r.line, "before": r.before, "after": r.after}
                     for r in source.repairs],
        **({"findings": [{"check": str(f.check), "line": f.line, "detail": f.detail, "question": f.question}
                         for f in source.findings]} if source.findings else {}),
    }


def _snapshot_name(path: Path) -> str:
    return "items-" + hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]


def write_items(path: Path, source: SourceItems, parsed_cache: Path | None = None) -> None:
    """Write a page's items file; with `parsed_cache`, also keep what reading it gives, so the next build need not
    parse it (made from the data written, as reading the file would make it)."""
    data = items_dict(source)
    text = dump_yaml(data)
    write_text(path, text)
    if parsed_cache is not None:
        keep_snapshot(text.encode("utf-8"), _source(data, path), parsed_cache, _snapshot_name(path))


def read_items(path: Path, cache_dir: Path | None = None) -> SourceItems:
    """A page's items file; with `cache_dir`, from the snapshot of these bytes when there is one."""
    if cache_dir is None:
        return _source(read_yaml(path), path)
    try:
        raw = path.read_bytes()
    except OSError:
        return _source(read_yaml(path), path)  # which names the problem
    kept = load_snapshot(raw, cache_dir, _snapshot_name(path))
    if isinstance(kept, SourceItems):
        return kept
    source = _source(read_yaml(path), path)
    keep_snapshot(raw, source, cache_dir, _snapshot_name(path))
    return source


def _source(data: Any, path: Path) -> SourceItems:
    data = _check_schema(data, path)
    try:
        items = tuple(QAItem(
            id=str(i["id"]), question=str(i["question"]), answer=str(i.get("answer") or ""),
            section=str(i.get("section") or ""), lang=str(i.get("lang") or ""), number=str(i.get("number") or ""),
            alt_lang=str(i.get("alt_lang") or ""), alt_question=str(i.get("alt_question") or ""),
            alt_answer=str(i.get("alt_answer") or ""), flags=tuple(i.get("flags") or ()),
            line=int(i.get("line") or 0)) for i in data["items"])
        return SourceItems(
            slug=data["source"], filename=data["file"], meta=_meta(data.get("meta") or {}),
            encoding=data["encoding"], fmt=data["format"], lines_in=int(data["lines_in"]),
            junk_removed=int(data["junk_removed"]), items=items,
            dropped=tuple(Removal(d["rule"], d["text"], int(d["line"])) for d in data.get("dropped", [])),
            repairs=tuple(Repair(r["rule"], r["before"], r["after"], int(r["line"]))
                          for r in data.get("repaired", [])),
            findings=tuple(Finding(Check(f["check"]), int(f["line"]), str(f["detail"]), str(f.get("question") or ""))
                           for f in data.get("findings", [])),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(str(path), None, f"malformed items file: {exc}") from exc


def write_merged(path: Path, clusters: list[Cluster], related: list[Related],
                 card_ids: dict[str, str] | None = None, cache_dir: Path | None = None) -> None:
    """Write merged.yaml; with `cache_dir`, a file whose text would not change is left as it is."""
    ids = card_ids or {}
    text = merged_text(SCHEMA, clusters, related, ids)
    if text is None:  # a value that needs quoting: the emitter writes it
        write_yaml(path, {
            "schema": SCHEMA,
            "cards": [{"card": ids.get(c.key, ""), "members": [
                {"source": m.source, "item": m.item_id, "why": m.reason, "similarity": m.score} for m in c.members]}
                for c in clusters],
            "related_not_merged": [{"a": r.a, "b": r.b, "similarity": r.score, "why_not": r.why_not}
                                   for r in related],
        }, cache_dir)
        return
    data = text.encode("utf-8")
    if cache_dir is not None and path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return
    write_text(path, text)


def read_merged(path: Path) -> tuple[list[Cluster], list[Related]]:
    data = _check_schema(read_yaml(path), path)
    try:
        clusters = [Cluster(tuple(Member(m["source"], m["item"], m["why"], int(m["similarity"]))
                                  for m in c["members"])) for c in data["cards"]]
        related = [Related(r["a"], r["b"], int(r["similarity"]), r["why_not"])
                   for r in data.get("related_not_merged", [])]
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(str(path), None, f"malformed merged file: {exc}") from exc
    return clusters, related
