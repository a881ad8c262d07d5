"""Fetch one page over HTTP(S) for `deckmill add URL`: timeouts, a size limit, redirects, charset, compression."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import requests

from pipeline.errors import DeckmillError
from pipeline.sources import decode
from pipeline.yamlnodes import NodeMap, as_int, as_list, as_regex, as_str, compose, fail

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_TAGS = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S | re.I)


class FetchError(DeckmillError):
    """A URL could not be fetched as a usable page; the message is one line naming the URL."""


@dataclass(frozen=True)
class Rewrite:
    name: str
    pattern: re.Pattern[str]
    replace: str


@dataclass(frozen=True)
class FetchRules:
    """Settings from pipeline/rules/fetch.yaml."""

    timeout: int
    max_bytes: int
    max_redirects: int
    user_agent: str
    content_types: tuple[str, ...]
    rewrites: tuple[Rewrite, ...]
    script_only_chars: int
    script_only_markers: tuple[str, ...]


@dataclass(frozen=True)
class Fetched:
    """A page as served: its bytes untouched, where it finally came from and how to read it."""

    url: str
    final_url: str
    data: bytes
    content_type: str
    charset: str


def _rewrite(node: object) -> Rewrite:
    m = NodeMap(node, "a url rewrite")  # type: ignore[arg-type]
    m.only(("name", "pattern", "replace"))
    return Rewrite(as_str(m.req("name")), as_regex(m.req("pattern")), as_str(m.req("replace")))


@cache
def fetch_rules(path: Path | None = None) -> FetchRules:
    """Load the fetch settings (the shipped file unless `path` is given); errors name file and line."""
    path = path or Path(str(resources.files("pipeline") / "rules" / "fetch.yaml"))
    node = compose(path)
    if node is None:
        raise DeckmillError(f"{path}:1: empty rule file")
    m = NodeMap(node, "fetch")
    m.only(("timeout_seconds", "max_bytes", "max_redirects", "user_agent", "content_types", "url_rewrites",
            "script_only"))
    script = NodeMap(m.req("script_only"), "script_only")
    rules = FetchRules(
        timeout=as_int(m.req("timeout_seconds")), max_bytes=as_int(m.req("max_bytes")),
        max_redirects=as_int(m.req("max_redirects")), user_agent=as_str(m.req("user_agent")),
        content_types=as_list(m.req("content_types"), as_str), rewrites=as_list(m.req("url_rewrites"), _rewrite),
        script_only_chars=as_int(script.req("max_text_chars")),
        script_only_markers=as_list(script.req("markers"), as_str))
    if rules.max_bytes <= 0 or rules.timeout <= 0:
        raise fail(m.req("max_bytes"), "timeout_seconds and max_bytes must be positive")
    return rules


def is_url(text: str) -> bool:
    return re.match(r"^https?://", text, re.I) is not None


def rewrite_url(url: str, rules: FetchRules) -> str:
    """The URL to fetch: a viewer page's URL (e.g. a code host's blob page) becomes its raw file's."""
    for rule in rules.rewrites:
        if rule.pattern.match(url):
            return rule.pattern.sub(rule.replace, url, count=1)
    return url


def declared_charset(content_type_header: str, data: bytes) -> str:
    """The charset the server declared (Content-Type header), else the page's own <meta>, else ''."""
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type_header, re.I)
    if match:
        return match.group(1).lower()
    meta = _META_CHARSET.search(data[:4096])
    return meta.group(1).decode("ascii", "replace").lower() if meta else ""


def page_text(fetched: Fetched) -> str:
    """The page decoded with its declared charset, or detected when none is declared or it is wrong."""
    if fetched.charset:
        try:
            return fetched.data.decode(fetched.charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(fetched.data)[0]


def needs_javascript(text: str, rules: FetchRules) -> bool:
    """True for an HTML shell whose content a script would fill in (little visible text, a marker)."""
    visible = " ".join(_TAGS.sub(" ", text).split())
    lowered = text.lower()
    return len(visible) < rules.script_only_chars and any(m.lower() in lowered for m in rules.script_only_markers)


def fetch(url: str, rules: FetchRules, session: requests.Session | None = None) -> Fetched:
    """GET `url` (rewritten first); raises FetchError with one line for every way it can fail."""
    target = rewrite_url(url, rules)
    http = session or requests.Session()
    http.max_redirects = rules.max_redirects
    try:
        with http.get(target, timeout=rules.timeout, stream=True, allow_redirects=True,
                      headers={"User-Agent": rules.user_agent}) as response:
            if response.status_code >= 400:
                raise FetchError(f"{url}: HTTP {response.status_code} {response.reason or ''}".rstrip())
            header = response.headers.get("Content-Type", "")
            kind = header.split(";")[0].strip().lower()
            if kind and kind not in rules.content_types:
                raise FetchError(f"{url}: not an HTML or text page ({kind})")
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > rules.max_bytes:
                raise FetchError(f"{url}: too large ({int(length)} bytes; the limit is {rules.max_bytes})")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > rules.max_bytes:
                    raise FetchError(f"{url}: too large (over {rules.max_bytes} bytes)")
                chunks.append(chunk)
            data = b"".join(chunks)
            return Fetched(url, response.url, data, kind, declared_charset(header, data))
    except requests.Timeout as exc:
        raise FetchError(f"{url}: timed out after {rules.timeout} s") from exc
    except requests.TooManyRedirects as exc:
        raise FetchError(f"{url}: more than {rules.max_redirects} redirects") from exc
    except requests.RequestException as exc:
        reason = str(exc.args[0] if exc.args else exc).splitlines()[0][:200]
        raise FetchError(f"{url}: cannot fetch: {reason}") from exc
