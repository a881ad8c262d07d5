"""Fetch one page over HTTP(S) for `deckmill add URL`: timeouts, a size limit, redirects, charset, compression."""

from __future__ import annotations

import re
from dataclasses import dataclass

import requests

from pipeline.config import load_rules
from pipeline.errors import DeckmillError
from pipeline.rules_model import FetchRules
from pipeline.sources import decode

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_TAGS = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S | re.I)


class FetchError(DeckmillError):
    """A URL could not be fetched as a usable page; the message is one line naming the URL."""


@dataclass(frozen=True)
class Fetched:
    """A page as served: its bytes untouched, where it finally came from and how to read it."""

    url: str
    final_url: str
    data: bytes
    content_type: str
    charset: str


def fetch_rules() -> FetchRules:
    """The shipped fetch settings (a project's come with its rules: `Rules.fetch`)."""
    return load_rules().fetch


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
