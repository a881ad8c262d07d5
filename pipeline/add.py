"""`deckmill add`: save files or fetched URLs into raw/ under a readable slug with a .meta.yaml sidecar."""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from pipeline.config import FetchRules, Rules
from pipeline.errors import DeckmillError, SkipPage
from pipeline.fetch import fetch, is_url, needs_javascript, page_text
from pipeline.impact import NewPage, PageImpact, what_pages_bring
from pipeline.media import IMAGE_SUFFIXES, SAVED_FOLDER_SUFFIX
from pipeline.session import Paths
from pipeline.sources import META_SUFFIX, PAGE_SUFFIXES, decode, discover, read_meta, slug_for
from pipeline.yamlio import dump_yaml

MAX_SLUG = 60

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_MD_TITLE = re.compile(r"^#\s+(.+)$", re.M)
_SUFFIX_BY_TYPE = {"text/html": ".html", "application/xhtml+xml": ".html", "text/markdown": ".md",
                   "text/x-markdown": ".md"}


class AddStatus(Enum):
    ADDED = "added"
    WOULD_ADD = "would add"
    ALREADY = "already added"
    REFUSED = "not added"


@dataclass(frozen=True)
class AddOptions:
    """What the person said about the pages on the command line."""

    title: str = ""
    url: str = ""
    lang: str = ""
    deck: str = ""
    tags: tuple[str, ...] = ()
    dry_run: bool = False


@dataclass(frozen=True)
class AddResult:
    """What happened to one PATH or URL given to `add`."""

    origin: str
    status: AddStatus
    slug: str = ""
    files: tuple[str, ...] = ()  # file names inside raw/: written, or that a dry run would write
    note: str = ""
    impact: PageImpact | None = None


@dataclass(frozen=True)
class _Candidate:
    origin: str
    page: NewPage
    slug: str
    url: str
    digest: str
    text: str
    fetched: bool
    wanted: str  # the slug asked for, when another page already had it


def slugify(text: str) -> str:
    """A safe, readable file name stem: letters (any script) and digits joined by '-', at most 60 chars."""
    text = unicodedata.normalize("NFKC", text).lower()
    slug = re.sub(r"[\W_]+", "-", text).strip("-")
    return slug[:MAX_SLUG].rstrip("-") or "page"


def _normal_url(url: str) -> str:
    return url.split("#")[0].rstrip("/").lower()


def _title_of(text: str) -> str:
    match = _TITLE.search(text[:20000]) or _MD_TITLE.search(text[:20000])
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split()) if match else ""


def _meta_text(options: AddOptions, title: str, url: str, now: int) -> str:
    meta: dict[str, object] = {"title": title, "url": url, "date": time.strftime("%Y-%m-%d", time.gmtime(now)),
                               "lang": options.lang, "deck": options.deck, "tags": list(options.tags)}
    return dump_yaml({k: v for k, v in meta.items() if v})


def _known(raw: Path) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """(content digest → slug, normalized url → slug, names taken) of the pages already in raw/."""
    by_digest: dict[str, str] = {}
    by_url: dict[str, str] = {}
    if not raw.is_dir():
        return by_digest, by_url, set()
    for page in discover(raw):
        slug = slug_for(page)
        by_digest[hashlib.sha256(page.read_bytes()).hexdigest()] = slug
        url = read_meta(page).url
        if url:
            by_url[_normal_url(url)] = slug
    taken = {slug_for(p).lower() for p in raw.iterdir()} | {p.name.lower() for p in raw.iterdir()}
    return by_digest, by_url, taken


def _free_slug(slug: str, taken: set[str]) -> str:
    def used(s: str) -> bool:
        return s.lower() in taken or f"{s}{SAVED_FOLDER_SUFFIX}".lower() in taken

    if not used(slug):
        return slug
    n = 2
    while used(f"{slug}-{n}"):
        n += 1
    return f"{slug}-{n}"


def _saved_images(page: Path) -> list[tuple[str, bytes]]:
    """Images in the browser's `<page>_files/` folder beside a saved page, by path inside that folder."""
    folder = page.with_name(page.stem + SAVED_FOLDER_SUFFIX)
    if not folder.is_dir():
        return []
    return [(p.relative_to(folder).as_posix(), p.read_bytes()) for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]


def _from_file(origin: str, options: AddOptions) -> tuple[bytes, str, str, str, list[tuple[str, bytes]]]:
    path = Path(origin)
    if not path.is_file():
        raise DeckmillError(f"{origin}: no such file")
    suffix = path.suffix.lower()
    if suffix not in PAGE_SUFFIXES:
        raise DeckmillError(f"{origin}: not a page deckmill reads (.txt, .md, .html)")
    data = path.read_bytes()
    text = decode(data)[0]
    title = options.title or _title_of(text)
    return data, suffix or ".txt", title, slugify(options.title or path.stem), _saved_images(path)


def _from_url(origin: str, options: AddOptions, rules: FetchRules) -> tuple[bytes, str, str, str, str]:
    fetched = fetch(origin, rules)
    text = page_text(fetched)
    suffix = _SUFFIX_BY_TYPE.get(fetched.content_type, "")
    if not suffix:
        path_suffix = Path(fetched.final_url.split("?")[0]).suffix.lower()
        suffix = path_suffix if path_suffix in PAGE_SUFFIXES and path_suffix else ".txt"
    title = options.title or _title_of(text)
    stem = Path(origin.split("?")[0].rstrip("/")).stem
    return fetched.data, suffix, title, slugify(title or stem), text


def _candidate(origin: str, options: AddOptions, now: int, rules: FetchRules,
               taken: set[str]) -> _Candidate:
    extra: list[tuple[str, bytes]] = []
    if is_url(origin):
        data, suffix, title, slug, text = _from_url(origin, options, rules)
        url, fetched = options.url or origin, True
    else:
        data, suffix, title, slug, extra = _from_file(origin, options)
        text, url, fetched = decode(data)[0], options.url, False
    wanted, slug = slug, _free_slug(slug, taken)
    taken.add(slug.lower())
    page = NewPage(slug + suffix, data, _meta_text(options, title, url, now),
                   tuple((f"{slug}{SAVED_FOLDER_SUFFIX}/{name}", blob) for name, blob in extra))
    return _Candidate(origin, page, slug, url, hashlib.sha256(data).hexdigest(), text, fetched,
                      wanted if wanted != slug else "")


def _files(page: NewPage) -> list[tuple[str, bytes]]:
    return [(page.filename, page.data), (slug_for(Path(page.filename)) + META_SUFFIX, page.meta_text.encode()),
            *page.extra]


def _write(raw: Path, page: NewPage) -> None:
    """Write a page, its meta and its images; never overwrite (exclusive create)."""
    raw.mkdir(parents=True, exist_ok=True)
    for name, data in _files(page):
        target = raw / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as fh:
            fh.write(data)


def add_pages(paths: Paths, rules: Rules, origins: list[str], options: AddOptions,
              now: int | None = None, fetch_settings: FetchRules | None = None) -> list[AddResult]:
    """Add each PATH or URL to raw/ (unless dry-run) and say what it brings; the library never prints."""
    now = int(now if now is not None else time.time())
    by_digest, by_url, taken = _known(paths.raw)
    rules_fetch = fetch_settings or rules.fetch
    results: dict[int, AddResult] = {}
    candidates: list[tuple[int, _Candidate]] = []
    for index, origin in enumerate(origins):
        try:
            candidate = _candidate(origin, options, now, rules_fetch, taken)
        except (DeckmillError, SkipPage) as exc:
            results[index] = AddResult(origin, AddStatus.REFUSED, note=str(exc))
            continue
        same = by_url.get(_normal_url(candidate.url)) if candidate.url else None
        same = same or by_digest.get(candidate.digest)
        if same:
            results[index] = AddResult(origin, AddStatus.ALREADY, same, note=f"already added as {same}")
            continue
        by_digest[candidate.digest] = candidate.slug
        if candidate.url:
            by_url[_normal_url(candidate.url)] = candidate.slug
        candidates.append((index, candidate))
    impacts = what_pages_bring(paths, rules, [c.page for _, c in candidates], now) if candidates else []
    for (index, candidate), impact in zip(candidates, impacts, strict=True):
        origin = candidate.origin
        if impact.skipped:
            why = impact.skipped
            if candidate.fetched and needs_javascript(candidate.text, rules_fetch):
                why = "the page needs JavaScript to show its content: save it from the browser instead"
            results[index] = AddResult(origin, AddStatus.REFUSED, candidate.slug,
                                       note=f"{origin}: {why}; nothing written",
                                       impact=impact)
            continue
        note = f"another page is already called {candidate.wanted}" if candidate.wanted else ""
        if not options.dry_run:
            _write(paths.raw, candidate.page)
        status = AddStatus.WOULD_ADD if options.dry_run else AddStatus.ADDED
        files = tuple(name for name, _ in _files(candidate.page))
        results[index] = AddResult(origin, status, candidate.slug, files, note, impact)
    return [results[i] for i in range(len(origins))]
