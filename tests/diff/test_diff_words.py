"""Word diffs: diff-match-patch semantics on tokens, both engines, exact reconstruction."""

from __future__ import annotations

import pytest
from diff_fixtures import PAIRS, read
from hypothesis import given, settings
from hypothesis import strategies as st

from policydiff.diff import diff_versions
from policydiff.diff.words import changed_words, new_text, old_text, tokenize, word_diff


def test_a_one_word_edit_is_one_word() -> None:
    ops = word_diff("We keep your data for one year.", "We keep your data for two years.")
    assert ops == [(0, "We keep your data for "), (-1, "one year"), (1, "two years"), (0, ".")]
    assert changed_words(ops) == (2, 2)


def test_parts_are_whole_tokens() -> None:
    ops = word_diff("personal information", "personalised information")
    assert ops == [(-1, "personal"), (1, "personalised"), (0, " information")]


def test_engines_give_the_same_diff_on_real_sections() -> None:
    compared = 0
    for _name, old_path, new_path in PAIRS:
        diff = diff_versions(read(old_path), read(new_path))
        for change in diff.sections:
            if change.status not in ("modified", "renamed"):
                continue
            old, new = old_text(change.diff), new_text(change.diff)
            if len(old) + len(new) > 12_000:
                continue  # the pure-Python engine takes seconds on the largest rewrites
            assert word_diff(old, new, engine="python") == word_diff(old, new, engine="fast") == list(change.diff)
            compared += 1
    assert compared >= 20


words = st.sampled_from(["data", "we", "your", "share", "cookies", "the", "1.", "2023", "é", "ß", "\u200b"])
separators = st.sampled_from([" ", "  ", "\n", "\n\n", ", ", ". ", "\t"])
texts = st.lists(st.tuples(words, separators), max_size=60).map(lambda parts: "".join(a + b for a, b in parts))


@given(texts, texts)
@settings(max_examples=300, deadline=None)
def test_word_diff_rebuilds_both_texts(old: str, new: str) -> None:
    ops = word_diff(old, new)
    assert old_text(ops) == old
    assert new_text(ops) == new
    assert all(text for _, text in ops)
    assert "".join(tokenize(old)) == old


def test_pure_python_fallback_when_the_cpp_engine_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from policydiff.diff import words

    monkeypatch.setattr(words, "_fast_backend", lambda: None)
    monkeypatch.setattr(words, "_BACKENDS", {})
    old, new = "We keep your data for one year.", "We keep your data for two years."
    assert words.backend() is words._BACKENDS["python"]
    assert word_diff(old, new) == [(0, "We keep your data for "), (-1, "one year"), (1, "two years"), (0, ".")]


def test_a_vocabulary_past_the_surrogates() -> None:
    from policydiff.diff import words

    # More distinct tokens than code points below U+D800: codes go on after the surrogates.
    body = " ".join(f"w{i}" for i in range(56_000))
    old, new = f"a {body} z", f"b {body} y"
    assert word_diff(old, new) == [(-1, "a"), (1, "b"), (0, f" {body} "), (-1, "z"), (1, "y")]
    codes = list(words._codes(56_003))
    assert len(set(codes)) == 56_003
    assert not any(0xD800 <= c < 0xE000 for c in codes)


paragraph_parts = st.sampled_from(
    ["data", "We", "é", "ß", " ", "  ", "\n", "\n\n", "\n\n\n", ". ", "\t", "\xa0", "_", "#"]
)
paragraph_texts = st.lists(paragraph_parts, max_size=40).map("".join)


@given(paragraph_texts, paragraph_texts)
@settings(max_examples=300, deadline=None)
def test_paragraph_by_paragraph_gives_the_whole_texts_tokens_and_codes(old: str, new: str) -> None:
    # Long texts are read paragraph by paragraph: the very tokens and codes of reading each whole.
    from policydiff.diff import words

    old_tokens, new_tokens, a, b = words._encode(words._paragraphs(old), words._paragraphs(new))
    assert (old_tokens, new_tokens) == (tokenize(old), tokenize(new))
    codes = words._codes_of([*tokenize(old), *tokenize(new)])
    assert (a, b) == ("".join(codes[t] for t in tokenize(old)), "".join(codes[t] for t in tokenize(new)))
