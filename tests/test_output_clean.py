"""output.clean: the plain-ASCII shortcut answers exactly what the full escape does."""

from __future__ import annotations

import random
import re

import pytest

from tracker.output import _UNSAFE, _shown, clean


def _escaped_by_the_regex(text: str) -> str:
    return _UNSAFE.sub(lambda m: m.group(1) if m.group(1) is not None else _shown(m.group(0)), text)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain title, tabs\tand\nnewlines", "plain title, tabs\tand\nnewlines"),
        ("bell\x07here", "bell\\x07here"),
        ("carriage\rreturn", "carriage\\x0dreturn"),
        ("windows\r\nline", "windows\r\nline"),
        ("\x1b[31mred\x1b[0m", "\x1b[31mred\x1b[0m"),
        ("title\x1b]0;pwned\x07", "title\\x1b]0;pwned\\x07"),
        ("delete\x7f", "delete\\x7f"),
        ("nul\x00", "nul\\x00"),
        ("bidi \u202eevil", "bidi \\u202eevil"),
        ("caf\u00e9 \u2014 fine", "caf\u00e9 \u2014 fine"),
    ],
)
def test_clean_shows_control_characters_and_passes_text(text: str, shown: str) -> None:
    assert clean(text) == shown


def test_the_ascii_shortcut_agrees_with_the_regex_on_every_ascii_character() -> None:
    rng = random.Random(6)
    alphabet = [chr(code) for code in range(128)]
    for _ in range(2_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert clean(text) == _escaped_by_the_regex(text), repr(text)


def test_style_can_be_dropped() -> None:
    assert clean("\x1b[1mbold\x1b[0m", keep_style=False) == "bold"
    assert re.fullmatch(r"[ -~\n\t]*", clean("ok\x1b[1m", keep_style=False))
