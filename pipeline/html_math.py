"""Formulas in HTML back to TeX: MathJax and KaTeX rendered markup, MathML, and formula images of a TeX endpoint."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag


def _tex_of(el: Tag) -> tuple[str, bool] | None:
    """The TeX source inside a KaTeX/MathJax/MathML element, and whether it is display math."""
    annotation = el.find("annotation", attrs={"encoding": re.compile("tex", re.I)})
    if isinstance(annotation, Tag):
        classes = " ".join(el.get("class") or [])
        display = "katex-display" in classes or el.get("display") == "block" or el.name == "div"
        parent = el.parent
        if isinstance(parent, Tag) and "katex-display" in " ".join(parent.get("class") or []):
            display = True
        return annotation.get_text().strip(), display
    return None


def replace_math(soup: BeautifulSoup) -> None:
    """Rendered formulas (MathJax scripts and markup, KaTeX, MathML) replaced by their TeX, inline or display."""
    for script in soup.find_all("script", attrs={"type": re.compile(r"math/tex", re.I)}):
        display = "mode=display" in str(script.get("type", ""))
        tex = script.get_text().strip()
        script.replace_with(NavigableString(f"\\[{tex}\\]" if display else f"\\({tex}\\)"))
    for el in soup.select(".katex-display, .katex, mjx-container, math"):
        if el.parent is None:  # already replaced with an enclosing element
            continue
        found = _tex_of(el)
        if found is None:
            continue
        tex, display = found
        el.replace_with(NavigableString(f"\\[{tex}\\]" if display else f"\\({tex}\\)"))
    for el in soup.select(".MathJax_Preview, .MathJax, .MJX_Assistive_MathML"):
        el.decompose()


def image_tex(src: str) -> str:
    """The TeX of a formula served as an image by a rendering endpoint (its source travels in a `tex=` query)."""
    query = parse_qs(urlsplit(src).query) if "?" in src else {}
    values = query.get("tex") or query.get("latex") or []
    return values[0].strip() if values and values[0].strip() else ""
