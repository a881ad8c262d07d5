"""Benchmark (`make bench`): a deterministic synthetic corpus at several sizes; time per stage, questions per second,
peak RSS, a no-change rebuild, beside the floor (the parsers deckmill uses reading the same pages, genanki alone
writing the same number of notes). Each size runs in its own process so its peak RSS is its own."""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PER_PAGE = 50
JUNK_ZH = ["关注公众号,回复「面试」领取资料", "点击阅读原文查看更多", "版权声明:本文为博主原创文章", "扫码加入交流群"]
JUNK_EN = ["Subscribe to our newsletter!", "Share this article", "Back to top", "© 2024 All rights reserved"]

# (intent, zh templates, en templates): two or more wordings of one ask make the reworded duplicates
ONE = [
    ("what", ["什么是{a}?", "请简述一下{a}", "谈谈你对{a}的理解"],
     ["What is {a}?", "Explain {a}.", "Can you describe {a}?"]),
    ("how", ["{a}的原理是什么?", "{a}是如何工作的?"], ["How does {a} work?", "Explain how {a} works."]),
    ("why", ["为什么会出现{a}?", "{a}产生的原因是什么?"], ["What causes {a}?", "Why does {a} happen?"]),
    ("fix", ["如何缓解{a}?", "怎么解决{a}问题?"], ["How can {a} be mitigated?", "How do you fix {a}?"]),
    ("pros", ["{a}的优缺点是什么?", "{a}有哪些优点和缺点?"], ["What are the pros and cons of {a}?",
                                                       "What are the advantages and disadvantages of {a}?"]),
    ("use", ["{a}有哪些应用场景?", "{a}适用于哪些场景?"],
     ["What are the applications of {a}?", "Where is {a} applied?"]),
    ("eval", ["如何评估{a}的效果?", "怎么评估{a}?"], ["How do you evaluate {a}?", "How would you evaluate {a}?"]),
]
TWO = [("diff", ["{a}和{b}有什么区别?", "{a}与{b}的区别是什么?"],
        ["What is the difference between {a} and {b}?", "How does {a} differ from {b}?"])]


def _concepts() -> list[tuple[str, str]]:
    """(Chinese alias, English alias) of every taxonomy concept that has both."""
    from pipeline.config import load_rules

    found = []
    for topic in load_rules().taxonomy:
        for concept in topic.concepts:
            zh = [a for a in concept.aliases if not a.isascii()]
            en = [a for a in concept.aliases if a.isascii() and len(a) > 2]
            if zh and en:
                found.append((zh[0], en[0]))
    return found


def _questions(total: int, rng: random.Random) -> Iterator[tuple[str, str]]:
    """(question, lang): distinct asks, about 15% of them asked again in other words on a later page."""
    concepts = _concepts()
    asked: list[tuple[list[str], dict[str, str], str]] = []
    specs = [(t, c) for t in ONE for c in concepts]
    rng.shuffle(specs)
    pairs = ((t, a, b) for t in TWO for a in concepts for b in concepts if a != b)
    for n in range(total):
        if asked and rng.random() < 0.15:
            templates, names, lang = rng.choice(asked)
            yield rng.choice(templates).format(**names), lang
            continue
        lang = "zh" if rng.random() < 0.6 else "en"
        side = 0 if lang == "zh" else 1
        if n < len(specs) and n % 3:
            (_, zh, en), concept = specs[n]
            names = {"a": concept[side]}
        else:
            (_, zh, en), a, b = next(pairs)
            names = {"a": a[side], "b": b[side]}
        templates = zh if lang == "zh" else en
        asked.append((templates, names, lang))
        yield templates[0].format(**names), lang


def _answer(question: str, lang: str, rng: random.Random) -> str:
    words = ["模型", "训练", "参数", "数据", "推理", "效果"] if lang == "zh" else ["model", "data", "training", "loss"]
    body = "".join(rng.choice(words) for _ in range(rng.randint(8, 30)))
    return f"{body}。关键在于{question[:6]}。" if lang == "zh" else f"It depends on {' '.join(words)}: {body}."


def _page(shape: str, items: list[tuple[str, str]], rng: random.Random) -> str:
    """One page: site chrome and promo before and after the questions (junk), then numbered questions."""
    lines: list[str] = [rng.choice(JUNK_ZH), ""] if shape == "txt" else [f"# Interview notes {rng.randint(1, 999)}", ""]
    for n, (question, lang) in enumerate(items, 1):
        answer = _answer(question, lang, rng)
        if shape == "txt":
            lines += [f"{n}、{question}", f"回答:{answer}", ""]
        elif shape == "md":
            lines += [f"## {n}. {question}", "", answer, ""]
        else:
            lines += [f"<h3>{n}. {question}</h3>", f"<p>{answer}</p>"]
    lines += [rng.choice(JUNK_ZH), rng.choice(JUNK_EN)]
    if shape == "html":
        return ("<html><head><title>Interview</title></head><body><nav><a href='/'>Home</a> | <a href='/blog'>Blog"
                "</a></nav><article>\n" + "\n".join(lines) + "\n</article><footer>© 2024</footer></body></html>\n")
    return "\n".join(lines) + "\n"


def write_corpus(raw: Path, total: int, seed: int = 7) -> list[Path]:
    """Pages of PER_PAGE questions each, in three shapes (.txt numbered, .md headings, .html with chrome)."""
    rng = random.Random(seed)
    raw.mkdir(parents=True)
    questions = list(_questions(total, rng))
    pages = []
    for start in range(0, total, PER_PAGE):
        shape = ("txt", "md", "html")[(start // PER_PAGE) % 3]
        path = raw / f"synthetic-{start // PER_PAGE:05d}.{shape}"
        path.write_text(_page(shape, questions[start:start + PER_PAGE], rng), encoding="utf-8")
        pages.append(path)
    return pages


def floor(pages: list[Path], notes: int) -> dict[str, float]:
    """The parsers deckmill uses reading the pages, and genanki alone writing `notes` notes."""
    import genanki
    from bs4 import BeautifulSoup
    from markdown_it import MarkdownIt

    started = time.perf_counter()
    md = MarkdownIt("commonmark")
    for path in pages:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            BeautifulSoup(text, "lxml")
        elif path.suffix == ".md":
            md.parse(text)
    parse = time.perf_counter() - started
    started = time.perf_counter()
    model = genanki.Model(1607392319, "bench", fields=[{"name": "Q"}, {"name": "A"}],
                          templates=[{"name": "c", "qfmt": "{{Q}}", "afmt": "{{A}}"}])
    deck = genanki.Deck(2059400110, "bench")
    for n in range(notes):
        deck.add_note(genanki.Note(model=model, fields=[f"question {n}", f"answer {n}"], guid=f"g{n}"))
    with tempfile.TemporaryDirectory() as tmp:
        genanki.Package(deck).write_to_file(str(Path(tmp) / "bench.apkg"))
    return {"parsers": parse, "genanki": time.perf_counter() - started}


@contextmanager
def _timed(stages: dict[str, float], module: Any, names: dict[str, str]) -> Iterator[None]:
    """Wrap module functions (or Session methods) so their time adds up under a stage name."""
    saved = {attr: getattr(module, attr) for attr in names}

    def wrap(stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                stages[stage] += time.perf_counter() - started
        return timed

    for attr, stage in names.items():
        setattr(module, attr, wrap(stage, saved[attr]))
    try:
        yield
    finally:
        for attr, fn in saved.items():
            setattr(module, attr, fn)


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children (the worker processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_size(total: int, profile: str | None, workers: int | None) -> dict[str, Any]:
    """One size, in this process: corpus, floor, a full build with time per stage, a no-change rebuild.
    With one worker the per-page stages run here and are timed apart (clean, extract); with more, they run in
    worker processes and are timed together."""
    import pipeline.pagework as pagework
    import pipeline.session as session_module
    from pipeline.config import load_rules
    from pipeline.session import Paths, Session

    work = Path(tempfile.mkdtemp(prefix="deckmill-bench-"))
    try:
        pages = write_corpus(work / "raw", total)
        rules = load_rules()
        stages: dict[str, float] = defaultdict(float)
        names = {"cluster": "dedup", "read_ledger": "identity", "claim": "identity", "compose": "cards",
                 "decide": "identity", "fields_for": "render", "write_package": "apkg", "save_ledger": "write ledger",
                 "write_merged": "write merged.yaml"}
        session = Session(Paths(work / "raw", work / "out"), rules)
        session.workers = workers or session.workers
        per_page = {} if session.workers > 1 else {"clean_one": "  of which clean", "extract_one": "  of which extract"}
        with _timed(stages, Session, {"_cached_sources": "pages"}), _timed(stages, session_module, names), \
                _timed(stages, pagework, per_page):
            started, cpu = time.perf_counter(), _cpu()
            if profile:
                import cProfile

                cProfile.runctx("session.build()", globals(), {"session": session}, profile)
            else:
                session.build()
            full, cpu = time.perf_counter() - started, _cpu() - cpu
        started = time.perf_counter()
        report = Session(Paths(work / "raw", work / "out"), rules).build(reuse_unchanged=True)  # as `deckmill build`
        again = time.perf_counter() - started
        cards = sum(n for _, n in report.packages)
        found = sum(f.questions for f in report.sources)
        return {"questions": total, "found": found, "pages": len(pages), "cards": cards, "full": full, "cpu": cpu,
                "rebuild": again,
                "stages": dict(stages), "floor": floor(pages, total),
                "workers": session.workers, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "worker_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}
    finally:
        shutil.rmtree(work)


def _print(results: list[dict[str, Any]]) -> None:
    stage_names = list(dict.fromkeys(s for r in results for s in r["stages"]))
    print(f"{'questions':>10} {'found':>7} {'pages':>6} {'cards':>6} {'full s':>7} {'cpu s':>7} {'q/s':>7} "
          f"{'rebuild s':>9} {'RSS MiB':>8} {'workers':>7} {'each MiB':>8} {'floor s':>8} {'x floor':>7}")
    for r in results:
        fl = r["floor"]["parsers"] + r["floor"]["genanki"]
        print(f"{r['questions']:>10} {r['found']:>7} {r['pages']:>6} {r['cards']:>6} {r['full']:>7.1f} "
              f"{r['cpu']:>7.1f} "
              f"{r['questions'] / r['full']:>7.0f} {r['rebuild']:>9.2f} {r['rss_mib']:>8.0f} {r['workers']:>7} "
              f"{r['worker_rss_mib']:>8.0f} {fl:>8.2f} {r['full'] / fl:>7.1f}")
    print("cpu s: CPU time of the full build, worker processes included (a busy machine stretches full s, not this)\n"
          "RSS: peak of the build's own process; each MiB: the largest worker process (they run beside it)")
    print("\ntime per stage (s), floor: parsers / genanki")
    print(f"{'questions':>10} " + " ".join(f"{s[:18]:>18}" for s in stage_names) + f" {'floor':>14}")
    for r in results:
        print(f"{r['questions']:>10} " + " ".join(f"{r['stages'].get(s, 0):>18.2f}" for s in stage_names)
              + f" {r['floor']['parsers']:>6.2f}/{r['floor']['genanki']:<6.2f}")
    for a, b in itertools.pairwise(results):
        print(f"{a['questions']}->{b['questions']}: time x{b['full'] / a['full']:.2f} (cpu x{b['cpu'] / a['cpu']:.2f}) "
              f"for questions x{b['questions'] / a['questions']:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000, 100_000], help="questions per run")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process: run one size, print JSON
    parser.add_argument("--profile", help="write a cProfile of the full build of each size to PROFILE-<size>")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the fastest is shown (a shared machine)")
    parser.add_argument("--workers", type=int, help="processes for the per-page stages (default: as `deckmill build`)")
    args = parser.parse_args()
    if args.one:
        profile = f"{args.profile}-{args.one}" if args.profile else None
        print(json.dumps(run_size(args.one, profile, args.workers)))
        return
    results = []
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", str(size)] + (["--profile", args.profile] if args.profile else [])
        command += ["--workers", str(args.workers)] if args.workers else []
        runs = [json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
                for _ in range(args.repeat)]
        results.append(min(runs, key=lambda r: r["full"]))  # the run the other users of the machine slowed least
    _print(results)


if __name__ == "__main__":
    main()
