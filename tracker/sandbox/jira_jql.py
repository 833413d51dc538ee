"""A small JQL tokenizer, parser and evaluator covering what a sync and a demo need."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

OPERATORS_TEXT = (
    "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'."
)
DATE_FORMATS_TEXT = (
    "Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', "
    "or a period format e.g. '-5d', '4w 2d'."
)
KEYWORDS = {"and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc"}
# Which operators each kind of field accepts, as Jira's field clause handlers do.
KIND_OPERATORS = {
    "ident": {"=", "!=", "in", "not in", "is", "is not"},
    "date": {"=", "!=", ">", ">=", "<", "<=", "in", "not in", "is", "is not"},
    "number": {"=", "!=", ">", ">=", "<", "<=", "in", "not in", "is", "is not"},
    "text": {"~", "!~", "is", "is not"},
}


class JqlError(ValueError):
    """A query Jira would answer with 400 and this message in errorMessages."""


@dataclass(frozen=True)
class Token:
    kind: str  # "string", "word", "op", "(", ")", ",", "eof"
    value: str
    pos: int

    def is_kw(self, word: str) -> bool:
        return self.kind == "word" and self.value.lower() == word


_OPS = ("!=", ">=", "<=", "!~", "&&", "||", "=", ">", "<", "~", "!")
_WORD = re.compile(r"[A-Za-z0-9_.\-:\[\]@+*/]+")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "\"'":
            end = i + 1
            buf = []
            while end < len(text) and text[end] != ch:
                if text[end] == "\\" and end + 1 < len(text):
                    end += 1
                buf.append(text[end])
                end += 1
            if end >= len(text):
                raise JqlError(
                    f"Error in the JQL Query: The quoted string '{''.join(buf)}' has not been completed. "
                    f"(line 1, character {i + 1})"
                )
            tokens.append(Token("string", "".join(buf), i + 1))
            i = end + 1
        elif ch in "(),":
            tokens.append(Token(ch, ch, i + 1))
            i += 1
        elif any(text.startswith(op, i) for op in _OPS):
            op = next(op for op in _OPS if text.startswith(op, i))
            tokens.append(Token("op", op, i + 1))
            i += len(op)
        else:
            m = _WORD.match(text, i)
            if not m:
                raise JqlError(
                    f"Error in the JQL Query: The character '{ch}' is a reserved JQL character. "
                    f"You must enclose it in a string or use the escape '\\u{ord(ch):04x}' instead. "
                    f"(line 1, character {i + 1})"
                )
            tokens.append(Token("word", m.group(0), i + 1))
            i = m.end()
    tokens.append(Token("eof", "", len(text) + 1))
    return tokens


@dataclass
class Clause:
    field: str  # canonical field id
    kind: str
    op: str
    values: list[Any]  # None stands for EMPTY


@dataclass
class BoolNode:
    op: str  # "and", "or", "not"
    children: list[Any]


@dataclass
class Query:
    where: Any | None
    order: list[tuple[str, bool]] = field(default_factory=list)  # (canonical field, descending)

    @property
    def bounded(self) -> bool:
        return self.where is not None

    def matches(self, record: dict[str, Any]) -> bool:
        return self.where is None or _eval(self.where, record)


@dataclass
class JqlSchema:
    """What the parser needs from the server: field names, value checks, the searcher's clock and zone."""

    fields: dict[str, tuple[str, str]]  # lower-cased clause name -> (canonical id, kind)
    now: datetime
    tz: str
    check_value: Callable[[str, str, Any], str | None] = lambda _f, _n, _v: None
    sortable: set[str] = field(default_factory=set)


class _Parser:
    def __init__(self, text: str, schema: JqlSchema) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.schema = schema

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, expecting: str, tok: Token) -> JqlError:
        got = tok.value if tok.kind != "eof" else "EOF"
        return JqlError(
            f"Error in the JQL Query: Expecting {expecting} but got '{got}'. (line 1, character {tok.pos})"
        )

    def parse(self) -> Query:
        where = None
        if not (self.peek().kind == "eof" or self.peek().is_kw("order")):
            where = self.or_expr()
        order: list[tuple[str, bool]] = []
        if self.peek().is_kw("order"):
            self.take()
            if not self.peek().is_kw("by"):
                raise self.fail("'by'", self.peek())
            self.take()
            while True:
                tok = self.take()
                if tok.kind not in ("word", "string"):
                    raise self.fail("a field name", tok)
                canonical, _kind = self.field(tok)
                if canonical not in self.schema.sortable:
                    raise JqlError(f"Field '{tok.value}' does not support sorting.")
                desc = False
                if self.peek().is_kw("asc") or self.peek().is_kw("desc"):
                    desc = self.take().value.lower() == "desc"
                order.append((canonical, desc))
                if self.peek().kind != ",":
                    break
                self.take()
        if self.peek().kind != "eof":
            raise self.fail("either 'OR' or 'AND'", self.peek())
        return Query(where, order)

    def or_expr(self) -> Any:
        nodes = [self.and_expr()]
        while self.peek().is_kw("or") or (self.peek().kind == "op" and self.peek().value == "||"):
            self.take()
            nodes.append(self.and_expr())
        return nodes[0] if len(nodes) == 1 else BoolNode("or", nodes)

    def and_expr(self) -> Any:
        nodes = [self.not_expr()]
        while self.peek().is_kw("and") or (self.peek().kind == "op" and self.peek().value == "&&"):
            self.take()
            nodes.append(self.not_expr())
        return nodes[0] if len(nodes) == 1 else BoolNode("and", nodes)

    def not_expr(self) -> Any:
        if self.peek().is_kw("not") or (self.peek().kind == "op" and self.peek().value == "!"):
            self.take()
            return BoolNode("not", [self.not_expr()])
        if self.peek().kind == "(":
            self.take()
            node = self.or_expr()
            if self.take().kind != ")":
                raise self.fail("')'", self.tokens[self.i - 1])
            return node
        return self.clause()

    def field(self, tok: Token) -> tuple[str, str]:
        found = self.schema.fields.get(tok.value.lower())
        if found is None:
            raise JqlError(f"Field '{tok.value}' does not exist or you do not have permission to view it.")
        return found

    def clause(self) -> Clause:
        tok = self.take()
        if tok.kind not in ("word", "string") or tok.value.lower() in KEYWORDS:
            raise self.fail("a field name", tok)
        canonical, kind = self.field(tok)
        op_tok = self.take()
        if op_tok.kind == "op" and op_tok.value not in ("&&", "||", "!"):
            op = op_tok.value
        elif op_tok.is_kw("in"):
            op = "in"
        elif op_tok.is_kw("not") and self.peek().is_kw("in"):
            self.take()
            op = "not in"
        elif op_tok.is_kw("is"):
            op = "is"
            if self.peek().is_kw("not"):
                self.take()
                op = "is not"
        else:
            raise JqlError(
                f"Error in the JQL Query: Expecting operator but got '{op_tok.value}'. {OPERATORS_TEXT} "
                f"(line 1, character {op_tok.pos})"
            )
        if op not in KIND_OPERATORS[kind]:
            raise JqlError(f"The operator '{op.upper()}' is not supported by the '{tok.value}' field.")
        if op in ("is", "is not"):
            val = self.take()
            if not (val.is_kw("empty") or val.is_kw("null")):
                raise self.fail("EMPTY or NULL", val)
            return Clause(canonical, kind, op, [None])
        if op in ("in", "not in"):
            if self.take().kind != "(":
                raise self.fail("'('", self.tokens[self.i - 1])
            raw = [self.value()]
            while self.peek().kind == ",":
                self.take()
                raw.append(self.value())
            if self.take().kind != ")":
                raise self.fail("')'", self.tokens[self.i - 1])
        else:
            raw = [self.value()]
        values = [self.convert(tok.value, canonical, kind, v) for v in raw]
        return Clause(canonical, kind, op, values)

    def value(self) -> Token:
        tok = self.take()
        if tok.kind not in ("word", "string"):
            raise self.fail("either a value, list or function", tok)
        if tok.kind == "word" and self.peek().kind == "(":
            self.take()
            if self.take().kind != ")":
                raise self.fail("')'", self.tokens[self.i - 1])
            return Token("function", tok.value.lower(), tok.pos)
        return tok

    def convert(self, name: str, canonical: str, kind: str, tok: Token) -> Any:
        if tok.kind == "word" and tok.value.lower() in ("empty", "null"):
            return None
        if canonical == "resolution" and tok.value.lower() == "unresolved":
            return None
        if tok.kind == "function":
            return self.function(name, canonical, kind, tok)
        if kind == "date":
            return self.date(name, tok)
        if kind == "number":
            if not re.fullmatch(r"-?\d+", tok.value):
                raise JqlError(f"The value '{tok.value}' for field '{name}' is invalid.")
            return int(tok.value)
        if kind == "text":
            return tok.value.lower()
        message = self.schema.check_value(canonical, name, tok.value)
        if message:
            raise JqlError(message)
        return tok.value.lower()

    def function(self, name: str, canonical: str, kind: str, tok: Token) -> Any:
        if tok.value == "now" and kind == "date":
            return int(self.schema.now.timestamp() * 1000)
        if tok.value == "currentuser" and kind == "ident":
            return "\x00currentuser"
        raise JqlError(f"Unable to find JQL function '{tok.value}()'.")

    def date(self, name: str, tok: Token) -> int:
        text = tok.value.strip()
        if re.fullmatch(r"-?\d{5,}", text):
            return int(text)  # milliseconds since the epoch
        rel = re.fullmatch(r"([-+]?)(\d+)([wdhm])", text)
        if rel:
            unit = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}[rel.group(3)]
            delta = timedelta(**{unit: int(rel.group(2))})
            moment = self.schema.now - delta if rel.group(1) == "-" else self.schema.now + delta
            return int(moment.timestamp() * 1000)
        for fmt in ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d"):
            try:
                local = datetime.strptime(text, fmt).replace(tzinfo=ZoneInfo(self.schema.tz))
            except ValueError:
                continue
            return int(local.timestamp() * 1000)
        raise JqlError(f"Date value '{tok.value}' for field '{name}' is invalid. {DATE_FORMATS_TEXT}")


def parse_jql(text: str, schema: JqlSchema) -> Query:
    return _Parser(text, schema).parse()


def _eval(node: Any, record: dict[str, Any]) -> bool:
    if isinstance(node, BoolNode):
        if node.op == "and":
            return all(_eval(c, record) for c in node.children)
        if node.op == "or":
            return any(_eval(c, record) for c in node.children)
        return not _eval(node.children[0], record)
    return _clause(node, record)


def _clause(c: Clause, record: dict[str, Any]) -> bool:
    actual = record.get(c.field)
    if c.op in ("is", "is not"):
        empty = actual is None or actual == set() or actual == ""
        return empty if c.op == "is" else not empty
    if c.kind == "text":
        hit = actual is not None and c.values[0] is not None and c.values[0] in str(actual).lower()
        return hit if c.op == "~" else (actual is not None and not hit)
    if c.kind == "ident":
        ids: set[str] = actual or set()
        wanted = {record["\x00currentuser"] if v == "\x00currentuser" else v for v in c.values}
        hit = bool(ids & wanted) or (None in wanted and not ids)
        if c.op in ("=", "in"):
            return hit
        # Like Jira, != and NOT IN never match an empty field.
        return bool(ids) and not hit
    # dates and numbers
    if actual is None:
        return (c.op in ("=", "in") and None in c.values) or (
            c.op in ("!=", "not in") and None not in c.values
        )
    values = [v for v in c.values if v is not None]
    compare: dict[str, Callable[[Any, Any], bool]] = {
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
    }
    if c.op == "in":
        return actual in values
    if c.op == "not in":
        return actual not in values
    return compare[c.op](actual, values[0])


def _sort_value(canonical: str, row: dict[str, Any]) -> Any:
    return row["\x00sort"][canonical]


def sort_records(records: list[dict[str, Any]], order: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """Stable multi-key sort; empty values go last whichever the direction, then by id descending."""
    result = sorted(records, key=lambda r: -r["\x00sort"]["id"])
    for canonical, desc in reversed(order):
        present = [r for r in result if r["\x00sort"].get(canonical) is not None]
        missing = [r for r in result if r["\x00sort"].get(canonical) is None]
        present.sort(key=partial(_sort_value, canonical), reverse=desc)
        result = present + missing
    return result
