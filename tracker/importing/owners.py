"""Owners a sentence names: "Dana to add ...", "Ed and Caroline to write ...", "@sam will ..."."""

from __future__ import annotations

import re
from collections.abc import Callable

# "Dana to add ...", "Ed and Caroline to write ...", "@sam will ...", "`@nova` and `@hazel` planning ...":
# the sentence names its owners (the title keeps the whole sentence).
_WHO = r"(?:`?@[\w.-]+`?|[A-ZÀ-Þ][\w'’.-]*)"
_SENTENCE_OWNER = re.compile(
    rf"^(?P<v>{_WHO}(?:\s*,\s*{_WHO})*(?:\s+(?:and|&)\s+{_WHO})?)\s+(?:to|will|shall|is\s+going\s+to)\s+"
    r"(?P<verb>[a-z][\w-]*)"
)
_HANDLE_WILL = re.compile(r"(?:^|(?<=[\s(]))(?P<v>`?@[\w.-]+`?)\s+(?:will|to|is\s+going\s+to)\s+[a-z]")
# Capitalised words that start sentences of the "X to ..." shape without naming anyone.
_NOT_OWNERS = frozenset(
    """ability able add agree aim also anyone append apply ask back begin change come commit continue
    convert copy decide default down downgrade due ensure escalate everybody everyone fall forward
    get go going has have here how i it learn limit link look make map migrate move need needs next
    nobody order pin plan plans point post push reach redirect refer related remember reply respond
    restrict return revert roll route scale send set similar somebody someone start still subscribe
    switch tell that then there these they this those time try up upgrade use want ways we what when
    where why work write you""".split()  # noqa: SIM905
)
_DETERMINERS = frozenset(
    """a all an each every its latest new our that the their this""".split()  # noqa: SIM905
)


def sentence_owner(text: str, known_owner: Callable[[str], bool] | None = None) -> str | None:
    """The owners a sentence of the form "X to ...", "X and Y to ...", "@x will ..." names, else None.
    A handle followed by "will" counts anywhere in the item; names only at its start."""
    plain_text = text.strip()
    match = _SENTENCE_OWNER.match(plain_text)
    if match and match.group("verb").lower() not in _DETERMINERS:
        names = [n for n in re.split(r"\s*(?:,|\band\b|&)\s*", match.group("v")) if n]
        if all(
            n.strip("`").startswith("@")
            or (n.lower() not in _NOT_OWNERS and (known_owner is None or known_owner(n) or len(names) > 1))
            for n in names
        ) and not (len(names) == 1 and " " in match.group("v")):
            return match.group("v")
    handle = _HANDLE_WILL.search(plain_text)
    return handle.group("v") if handle else None
