"""Incremental builds: a page is re-cleaned and re-extracted only when its bytes, its meta, the rules or the
code changed; the cache (decks/.cache, not committed) remembers what each stage file was made from."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pipeline

CACHE_FILE = "stages.json"


@functools.cache
def code_fingerprint() -> str:
    """Hash of deckmill's own code: a new version of the code invalidates every cached stage (read once a process)."""
    digest = hashlib.sha256()
    for path in sorted(Path(pipeline.__file__).parent.rglob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _relative(image: Path, page: Path) -> bytes:
    """An image's name as the page names it (a project moved or copied elsewhere keeps its fingerprints)."""
    try:
        return image.relative_to(page.parent.resolve()).as_posix().encode()
    except ValueError:
        return image.name.encode()


def input_fingerprint(page: Path, meta: Path, rules_fingerprint: str, code: str,
                      images: Sequence[Path] = ()) -> str:
    """What a page's stage files are made from: its bytes, its meta, the rules, the code and the images it shows."""
    digest = hashlib.sha256()
    for part in (page.read_bytes(), meta.read_bytes() if meta.exists() else b"", rules_fingerprint.encode(),
                 code.encode(), *(_relative(image, page) + image.read_bytes() for image in images)):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:24]


def _key(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:24] if path.exists() else ""


@dataclass
class StageCache:
    """What each source's stage files were built from (mutable; saved after a build)."""

    path: Path
    entries: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path) -> StageCache:
        path = directory / CACHE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        return cls(path, data if isinstance(data, dict) else {})

    def why_rebuild(self, slug: str, fingerprint: str, outputs: list[Path]) -> str:
        """'' when the stage files are up to date, else the reason they must be rebuilt."""
        entry = self.entries.get(slug)
        if entry is None:
            return "new source"
        if entry.get("input") != fingerprint:
            return "page, meta, rules or code changed"
        for out in outputs:
            if entry.get(_key(out)) != file_hash(out):
                return f"{out.parent.name}/{out.name} missing or edited"
        return ""

    def record(self, slug: str, fingerprint: str, outputs: list[Path]) -> None:
        self.entries[slug] = {"input": fingerprint, **{_key(out): file_hash(out) for out in outputs}}

    def save(self, keep: set[str]) -> None:
        self.entries = {k: v for k, v in sorted(self.entries.items()) if k in keep}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.entries, indent=1, sort_keys=True), encoding="utf-8")
