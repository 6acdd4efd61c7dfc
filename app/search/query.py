"""The Boolean query language sourcers already use, parsed into a small tree.

    title:(director OR "vice president") AND department:finance NOT intern

Precedence is LinkedIn's: quotes, parentheses, NOT, AND, OR, so `a OR b NOT c` reads
`a OR (b AND NOT c)`. Terms side by side are ANDed; `-term` is `NOT term`; `term*` is a prefix;
`name~` (Lucene's fuzzy marker) also finds names that sound alike or are nicknames of it; a field
(`title:`) applies to the term or group right after it; `called:>2026-01-01` compares dates.
Case never matters. A malformed query raises QueryError with the position of the problem, and so
does one past the limits below (length, terms, nesting), so no query can exhaust the parser's
recursion or the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.dates import WINDOW_TEXT, DateError, OutsideWindow, parse_date

TEXT_FIELDS = frozenset({"name", "title", "department", "company", "notes", "recruiter"})
CHOICE_FIELDS = frozenset({"status", "role", "outcome"})
DATE_FIELDS = frozenset({"called"})
# `~` compares how names sound: only a person's name has sound keys in the index.
FUZZY_FIELDS = frozenset({None, "name"})
FIELDS = TEXT_FIELDS | CHOICE_FIELDS | DATE_FIELDS
MAX_QUERY = 500
MAX_TERMS = 30
MAX_DEPTH = 20  # nested parentheses; people write two or three


class QueryError(ValueError):
    """A query that cannot be read; `position` is the 0-based index of the problem."""

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.message, self.position = message, position


@dataclass(frozen=True)
class Term:
    text: str  # lower-cased words (a phrase keeps its spaces)
    field: str | None = None
    prefix: bool = False
    phrase: bool = False
    fuzzy: bool = False  # `word~`: sound-alikes and nicknames of a name too


@dataclass(frozen=True)
class DateCompare:
    field: str
    op: str  # one of < <= > >= =
    value: date


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | DateCompare | Not | And | Or


@dataclass(frozen=True)
class Token:
    kind: str  # WORD PHRASE LPAREN RPAREN AND OR NOT MINUS FIELD
    value: str
    position: int


_WORD = re.compile(r"[^\s()\"]+")
# NUL and lone UTF-16 surrogates: no stored text holds them, and the database refuses them.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def tokenize(text: str) -> list[Token]:
    """Split a query into tokens; an unclosed quote is an error at the quote."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "(":
            tokens.append(Token("LPAREN", char, i))
            i += 1
        elif char == ")":
            tokens.append(Token("RPAREN", char, i))
            i += 1
        elif char == '"':
            end = text.find('"', i + 1)
            if end == -1:
                raise QueryError("This quote is never closed.", i)
            tokens.append(Token("PHRASE", text[i + 1 : end], i))
            i = end + 1
        elif (
            char == "-"
            and i + 1 < len(text)
            and not text[i + 1].isspace()
            and (
                not tokens
                or tokens[-1].kind in {"LPAREN", "AND", "OR", "NOT", "MINUS", "FIELD"}
                or text[i - 1].isspace()
            )
        ):
            tokens.append(Token("MINUS", char, i))
            i += 1
        else:
            match = _WORD.match(text, i)
            word = match.group()
            field, colon, rest = word.partition(":")
            if colon and field.lower() in FIELDS:
                tokens.append(Token("FIELD", field.lower(), i))
                i += len(field) + 1
                continue
            if colon and field and field.isalpha():
                known = ", ".join(sorted(FIELDS))
                raise QueryError(f"Unknown field “{field}:”. Fields: {known}.", i)
            upper = word.upper()
            kind = upper if word in {"AND", "OR", "NOT"} else "WORD"
            tokens.append(Token(kind, word, i))
            i = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.terms = 0
        self.depth = 0

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError("Type something to search for.", 0)
        node = self.or_expr(None)
        if (token := self.peek()) is not None:
            if token.kind == "RPAREN":
                raise QueryError("This closing parenthesis has no opening one.", token.position)
            raise QueryError("Unexpected text here.", token.position)
        return node

    def or_expr(self, field: str | None) -> Node:
        children = [self.and_expr(field)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            children.append(self.and_expr(field))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self, field: str | None) -> Node:
        children = [self.not_expr(field)]
        while (token := self.peek()) is not None and token.kind not in {"OR", "RPAREN"}:
            if token.kind == "AND":
                self.take()
            children.append(self.not_expr(field))
        return children[0] if len(children) == 1 else And(tuple(children))

    def not_expr(self, field: str | None) -> Node:
        # A loop, not recursion: a run of NOTs costs nothing, and NOT NOT x is x.
        negated = False
        while (token := self.peek()) is not None and token.kind in {"NOT", "MINUS"}:
            self.take()
            negated = not negated
        node = self.primary(field)
        return Not(node) if negated else node

    def primary(self, field: str | None) -> Node:
        token = self.peek()
        if token is None:
            raise QueryError("The query ends where a term was expected.", len(self.text))
        if token.kind == "LPAREN":
            self.take()
            if (inner := self.peek()) is not None and inner.kind == "RPAREN":
                raise QueryError("Empty parentheses.", inner.position)
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(
                    f"Parentheses nest too deep here: at most {MAX_DEPTH} levels.", token.position
                )
            node = self.or_expr(field)
            closing = self.peek()
            if closing is None or closing.kind != "RPAREN":
                raise QueryError("This parenthesis is never closed.", token.position)
            self.take()
            self.depth -= 1
            return node
        if token.kind == "FIELD":
            self.take()
            if field is not None:
                raise QueryError("A field inside a field.", token.position)
            if token.value in DATE_FIELDS:
                return self.date_compare(token)
            nxt = self.peek()
            if nxt is None or nxt.kind in {"RPAREN", "AND", "OR"}:
                raise QueryError(f"“{token.value}:” needs a term after it.", token.position)
            return (
                self.primary(token.value)
                if nxt.kind in {"LPAREN", "WORD", "PHRASE"}
                else (self.not_expr(token.value))
            )
        if token.kind in {"AND", "OR"}:
            raise QueryError(f"“{token.value}” needs a term before it.", token.position)
        if token.kind == "RPAREN":
            raise QueryError("This closing parenthesis has no opening one.", token.position)
        self.take()
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QueryError(f"At most {MAX_TERMS} terms.", token.position)
        if token.kind == "PHRASE":
            words = " ".join(token.value.lower().split())
            if not words:
                raise QueryError("Empty quotes.", token.position)
            return Term(words, field, phrase=True)
        word = token.value.lower()
        fuzzy = word.endswith("~")
        word = word.removesuffix("~")
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if fuzzy or (prefix and word.endswith("~")):
            self.check_fuzzy(token, word.removesuffix("~") if not fuzzy else word, field,
                             prefix)
        if not word:
            raise QueryError("A * needs letters before it.", token.position)
        if "*" in word:
            raise QueryError("A * goes only at the end of a word.", token.position)
        return Term(word, field, prefix=prefix, fuzzy=fuzzy)

    @staticmethod
    def check_fuzzy(token: Token, word: str, field: str | None, prefix: bool) -> None:
        """`~` goes right after one whole name (not a prefix, a phrase or another field)."""
        if not word or "~" in word:
            raise QueryError("A ~ goes right after a name, e.g. kathryn~.", token.position)
        if prefix:
            raise QueryError("Use either * or ~ on a word, not both.", token.position)
        if field not in FUZZY_FIELDS:
            raise QueryError("~ finds names that sound alike: use it on names, e.g. "
                             "name:kathryn~ or kathryn~.", token.position)

    def date_compare(self, field_token: Token) -> DateCompare:
        token = self.peek()
        if token is None or token.kind != "WORD":
            raise QueryError(
                f"“{field_token.value}:” needs a date, e.g. {field_token.value}:>2026-01-01.",
                field_token.position,
            )
        self.take()
        match = re.fullmatch(r"(<=|>=|<|>|=)?([0-9]{4}-[0-9]{2}-[0-9]{2})", token.value)
        if not match:
            raise QueryError(
                "Write dates as YYYY-MM-DD, optionally after < <= > >= or =.", token.position
            )
        try:
            value = parse_date(match.group(2))
        except OutsideWindow:
            raise QueryError(f"Dates must fall {WINDOW_TEXT}.", token.position) from None
        except DateError:
            raise QueryError("That date does not exist.", token.position) from None
        return DateCompare(field_token.value, match.group(1) or "=", value)


def parse(text: str) -> Node:
    """Parse a Boolean query; raises QueryError pointing at the problem."""
    if len(text) > MAX_QUERY:
        raise QueryError(f"Keep queries under {MAX_QUERY} characters.", MAX_QUERY)
    if (bad := _UNSTORABLE.search(text)) is not None:
        raise QueryError("This character cannot be searched for.", bad.start())
    return _Parser(text).parse()


def positive_terms(node: Node) -> list[Term]:
    """The terms a result must (or may) contain, for highlighting; negated ones are left out."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, And | Or):
        return [t for child in node.children for t in positive_terms(child)]
    return []
