"""Fuzzing the values tracker writes into issue bodies and reads back (the tracker block, both services).

Whatever a document, a person or `tracker add -o` puts in a value, the block must read back with the
same marker, deadline and item id (a planted `Marker:` line once made an item adopt another's issue),
a one-line value must read back as written, and the text a person wrote around the block is kept.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.backends.base import IssueContext
from tracker.backends.block import (
    compose_markdown_body,
    parse_markdown_body,
    render_markdown_block,
    replace_markdown_block,
)
from tracker.backends.jira_text import compose_description, parse_description, replace_block

# Derandomized: the same examples on every run and machine, so a failure is never a fluke.
FUZZ = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)

markers = st.from_regex(r"tracker-[0-9a-f]{24}", fullmatch=True)
dues = st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31))
# Anything at all, lines and control characters included: what documents and options can carry.
anything = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
# What a person types on one line: no line breaks, no surrounding blanks.
one_line = (
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40
    )
    .map(str.strip)
    .filter(lambda text: text and text.lower() != "none")
)
# Text built to attack the block: lines a parser would take for ours, and fences that end it early.
planted_line = st.one_of(
    markers.map(lambda m: f"Marker: {m}"),
    st.dates().map(lambda d: f"Deadline: {d.isoformat()}"),
    st.integers(min_value=0, max_value=999).map(lambda n: f"Item: {n}"),
    st.just("Postmortem: someone-else"),
    st.sampled_from(["```", "```tracker", "{noformat}", "{code}", "\r", "\u2028", "\x85", "\x0b"]),
)
planted = st.lists(st.one_of(anything, planted_line), min_size=1, max_size=5).flatmap(
    lambda parts: st.sampled_from(["\n", "\r\n", "\r", "\u2028", " "]).map(lambda sep: sep.join(parts))
)
slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True)


@st.composite
def contexts(draw: st.DrawFn, values: st.SearchStrategy[str]) -> IssueContext:
    return IssueContext(
        postmortem_slug=draw(slugs),
        postmortem_title=draw(anything),
        incident_date=draw(st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))),
        severity=draw(st.none() | values),
        owner_text=draw(st.none() | values),
        deadline_text=draw(st.none() | values),
        item_id=draw(st.none() | st.integers(min_value=1, max_value=2**62)),
    )


def _expect_identity(block, marker: str, context: IssueContext, due: date | None) -> None:
    assert block is not None
    assert block.marker == marker
    assert block.deadline == due
    assert block.item == (str(context.item_id) if context.item_id is not None else "-")
    assert block.postmortem == context.postmortem_slug


@FUZZ
@given(markers, contexts(one_line), dues)
def test_one_line_values_read_back_as_written(marker, context, due):
    block = parse_markdown_body(compose_markdown_body("Intro", marker, context, due))
    _expect_identity(block, marker, context, due)
    assert block.owner == context.owner_text


@FUZZ
@given(markers, contexts(st.one_of(anything, planted)), dues)
def test_no_value_can_plant_a_line_in_the_block(marker, context, due):
    """`tracker add -o $'x\\nMarker: tracker-...'`: the block still names its own item (issue 19, point 6)."""
    _expect_identity(
        parse_markdown_body(compose_markdown_body("", marker, context, due)), marker, context, due
    )
    for adf in (False, True):
        _expect_identity(
            parse_description(compose_description("", marker, context, due, adf)), marker, context, due
        )


@FUZZ
@given(markers, contexts(one_line), dues, anything, anything, markers, contexts(one_line), dues)
def test_replacing_the_block_keeps_what_a_person_wrote(
    marker, context, due, before, after, new_marker, new_context, new_due
):
    before = before.replace("```", "'''")  # a person's own fence would be their block, not text
    after = after.replace("```", "'''")
    body = f"{before}\n\n{render_markdown_block(marker, context, due)}\n{after}"
    replaced = replace_markdown_block(body, new_marker, new_context, new_due)
    assert replaced.startswith(f"{before}\n\n") and replaced.endswith(f"\n{after}")
    _expect_identity(parse_markdown_body(replaced), new_marker, new_context, new_due)


@FUZZ
@given(markers, contexts(one_line), dues, one_line, st.booleans())
def test_jira_descriptions_read_back_in_both_forms(marker, context, due, intro, adf):
    description = compose_description(intro, marker, context, due, adf)
    block = parse_description(description)
    _expect_identity(block, marker, context, due)
    assert block.owner == context.owner_text
    moved = due.replace(year=due.year + 1) if due and due.year < 2200 else date(2030, 1, 1)
    again = parse_description(replace_block(description, marker, context, moved))
    _expect_identity(again, marker, context, moved)


@FUZZ
@given(markers, contexts(one_line), dues, markers, dues, anything)
def test_a_block_quoted_above_ours_is_never_read(marker, context, due, other_marker, other_due, text):
    """A person pastes another issue's block into the description: ours, written last, still counts."""
    quoted = render_markdown_block(other_marker, context, other_due)
    body = compose_markdown_body(f"{text}\n\nSame as this one:\n\n{quoted}\n", marker, context, due)
    _expect_identity(parse_markdown_body(body), marker, context, due)
