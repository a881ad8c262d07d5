"""The composed-card memo (decks/.cache/composed.pickle): used only where every input is the same, never trusted when
damaged, and forgotten when the rules or a card's page change."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

from pipeline.config import load_rules
from pipeline.session import Paths, Session
from pipeline.stagefiles import read_items
from tests.conftest import NOW, copy_raw, session_for
from tests.test_incremental import _outputs

SEEDS = ("llm-common-questions-general", "llm-attention-basics-series-1")
MARK = "TAMPERED-IN-THE-MEMO"


def _memo(out: Path) -> Path:
    return out / ".cache" / "composed.pickle"


def _tamper(out: Path) -> int:
    """Rewrite every remembered card's question (a well-formed memo that lies); the number of cards changed."""
    schema, version, known = pickle.loads(_memo(out).read_bytes())
    lied = {}
    for key, (then, rest, card_id, fields) in known.items():
        content = rest[2]
        lied[key] = (then, (*rest[:2], replace(content, question=f"{MARK} {content.question}"), *rest[3:]), card_id,
                     fields)
    _memo(out).write_bytes(pickle.dumps((schema, version, lied)))
    return len(lied)


def _built_twice(tmp_path: Path) -> Path:
    raw = copy_raw(tmp_path / "raw", *SEEDS)
    session_for(tmp_path, raw, NOW).build()
    session_for(tmp_path, raw, NOW + 60).build()  # cards published: the memo now holds them as the ledger has them
    return raw


def _damaged(memo: Path) -> list[bytes]:
    schema, version, known = pickle.loads(memo.read_bytes())
    good = memo.read_bytes()
    wrong_shapes = {key: ("-", ("not", "a", "card"), "", None) for key in known}
    wrong_types = {key: (then, (rest[0], "kept", "not content", *rest[3:]), card, fields)
                   for key, (then, rest, card, fields) in known.items()}
    short_fields = {key: (*record[:3], ("only one field",)) for key, record in known.items()}
    odd_fields = {key: (*record[:3], (None,) * len(record[3] or ())) for key, record in known.items()}
    two_tuples = {key: record[:2] for key, record in known.items()}  # the first layout
    return [b"", b"\x80\x05garbage", good[: len(good) // 2], pickle.dumps("a string"), pickle.dumps((schema,)),
            *(pickle.dumps((schema, version, bad)) for bad in (wrong_shapes, wrong_types, short_fields, odd_fields,
                                                              two_tuples)),
            pickle.dumps((schema, version, ["a list"]))]


def test_a_damaged_memo_is_a_miss_never_a_crash_or_a_different_output(tmp_path: Path) -> None:
    raw = _built_twice(tmp_path)
    out = tmp_path / "decks"
    damages = _damaged(_memo(out))
    _memo(out).unlink()
    session_for(tmp_path, raw, NOW + 120).build()
    expected = _outputs(out)
    assert any(b"attention" in v.lower() for v in expected.values())
    for damage in damages:
        _memo(out).write_bytes(damage)
        session_for(tmp_path, raw, NOW + 120).build()
        assert _outputs(out) == expected, damage[:40]
        assert pickle.loads(_memo(out).read_bytes())[0] == 1  # rewritten whole


def test_the_memo_is_what_a_rebuild_reuses(tmp_path: Path) -> None:
    raw = _built_twice(tmp_path)
    out = tmp_path / "decks"
    assert _tamper(out) > 10
    session_for(tmp_path, raw, NOW + 120).build()
    assert (out / "ledger.yaml").read_text("utf-8").count(MARK) > 10  # the lie shows: it was used, not recomposed


def test_a_cards_fields_are_reused_only_under_the_same_card_id(tmp_path: Path) -> None:
    raw = _built_twice(tmp_path)
    out = tmp_path / "decks"
    schema, version, known = pickle.loads(_memo(out).read_bytes())
    assert all(fields is not None and card_id.startswith("dm-") for _, _, card_id, fields in known.values())
    lied = {key: (then, rest, card_id, (f"{MARK}-{card_id}", *fields[1:]))
            for key, (then, rest, card_id, fields) in known.items()}
    _memo(out).write_bytes(pickle.dumps((schema, version, lied)))
    session_for(tmp_path, raw, NOW + 120).build()
    assert _apkg_text(out).count(MARK) == 2 * len(known)  # reused (question and sort field): not rendered again
    lied = {key: (then, rest, "dm-someone-else", fields) for key, (then, rest, _, fields) in lied.items()}
    _memo(out).write_bytes(pickle.dumps((schema, version, lied)))
    session_for(tmp_path, raw, NOW + 180).build()
    assert MARK not in _apkg_text(out)  # published under another id: rendered again


def _apkg_text(out: Path) -> str:
    return "".join(v.decode("utf-8", "replace") for k, v in _outputs(out).items() if k.startswith("apkg:"))


def test_a_rules_change_forgets_the_memo(tmp_path: Path) -> None:
    raw = _built_twice(tmp_path)
    out = tmp_path / "decks"
    _tamper(out)
    user = tmp_path / "deckmill.yaml"
    user.write_text("deck:\n  deck_name: Mine::LLM\n", encoding="utf-8")
    Session(Paths(raw, out), load_rules(user), now=NOW + 120).build()
    assert MARK not in (out / "ledger.yaml").read_text("utf-8")


def test_a_setting_change_forgets_the_memo(tmp_path: Path) -> None:
    raw = _built_twice(tmp_path)
    out = tmp_path / "decks"
    _tamper(out)
    session_for(tmp_path, raw, NOW + 120).build(include_unanswered=True)  # the default is off
    assert MARK not in (out / "ledger.yaml").read_text("utf-8")


def test_a_page_edit_composes_that_pages_cards_again(tmp_path: Path) -> None:
    raw = _built_twice(tmp_path)
    out = tmp_path / "decks"
    _tamper(out)
    edited = raw / f"{SEEDS[0]}.txt"
    edited.write_bytes(edited.read_bytes() + b"\n")  # same questions, other bytes: a new fingerprint
    session_for(tmp_path, raw, NOW + 120).build()
    ledger = (out / "ledger.yaml").read_text("utf-8")
    entries = ledger.split('"guid"')
    assert not [e for e in entries if MARK in e and f'"{SEEDS[0]}/' in e]  # no card holding the edited page's question
    assert [e for e in entries if MARK in e and f'"{SEEDS[1]}/' in e]  # the other page's cards were reused


def _steps(raw: Path, out: Path) -> list[tuple[str, object]]:
    """Changes a person makes between builds: each is applied to raw/ or to the overrides, then both builds run."""
    ledger = (out / "ledger.yaml").read_text("utf-8")
    cards = [line.split('"')[1] for line in ledger.splitlines() if line.startswith('  "dm-')]
    edited = raw / f"{SEEDS[1]}.txt"

    def edit_answer() -> None:
        text = edited.read_text("utf-8")
        head = next(i.answer[:12] for i in read_items(out / "yaml" / f"{SEEDS[1]}.yaml").items
                    if len(i.answer) > 20 and text.count(i.answer[:12]) == 1)  # an answer's opening, as on the page
        edited.write_text(text.replace(head, head + "(另见下文)"), encoding="utf-8")

    def correct_and_pin() -> None:
        (out / "overrides.yaml").write_text(f"corrections:\n  {cards[0]}:\n    answer: 我改过的答案。\n"
                                            f"never_emit: [{cards[1]}]\n", encoding="utf-8")

    def remove_page() -> None:
        for path in raw.glob(f"{SEEDS[0]}*"):
            path.unlink()

    return [("edit an answer", edit_answer), ("correct a card, suppress another", correct_and_pin),
            ("remove a page", remove_page)]


def test_each_change_built_on_the_memo_equals_a_build_from_scratch(tmp_path: Path) -> None:
    raw = _built_twice(tmp_path)
    out = tmp_path / "decks"
    for number, (what, change) in enumerate(_steps(raw, out), 1):
        change()  # type: ignore[operator]
        scratch = tmp_path / f"scratch-{number}"  # the same history (ledger, overrides), no stage files, no cache
        scratch.mkdir()
        for name in ("ledger.yaml", "overrides.yaml"):
            if (out / name).exists():
                (scratch / name).write_bytes((out / name).read_bytes())
        report = session_for(tmp_path, raw, NOW + 60 * (number + 2)).build()
        Session(Paths(raw, scratch), load_rules(), now=NOW + 60 * (number + 2)).build()
        mine, theirs = _outputs(out), _outputs(scratch)
        assert mine.keys() == theirs.keys(), what
        assert [name for name in mine if mine[name] != theirs[name]] == [], what
        assert report.changes, what  # each step changed something
