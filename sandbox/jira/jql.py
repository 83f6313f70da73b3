"""JQL: a tokenizer and a recursive-descent parser producing a small syntax tree.

The grammar is Jira's, restricted to what the sandbox can evaluate:

    query    := [or_expr] [ORDER BY sort ("," sort)*]
    or_expr  := and_expr ((OR | "||") and_expr)*
    and_expr := not_expr ((AND | "&&") not_expr)*
    not_expr := (NOT | "!") not_expr | "(" or_expr ")" | clause
    clause   := field operator operand
    operand  := value | function "(" [value ("," value)*] ")" | "(" operand ("," operand)* ")"

Meaning (which fields exist, which values are valid) is checked later by ``jql_eval``;
this module only knows the shape. Errors carry Jira's wording and its
"(line 1, character N)" position so clients see what Jira would tell them.
"""

from __future__ import annotations

from dataclasses import dataclass

RESERVED_CHARS = set("=!<>(),~\"'")
KEYWORDS = {"and", "or", "not", "in", "is", "order", "by", "asc", "desc", "empty", "null"}
OPERATORS = ["!=", ">=", "<=", "!~", "=", ">", "<", "~"]
VALID_OPERATORS = "'=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'"


class JQLError(ValueError):
    """A query Jira would refuse; ``str(error)`` is Jira's error message."""


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "string", "op", "(", ")", ",", "end"
    text: str
    pos: int  # 0-based offset into the query

    @property
    def keyword(self) -> str | None:
        return self.text.lower() if self.kind == "word" and self.text.lower() in KEYWORDS else None


@dataclass(frozen=True)
class Value:
    text: str
    quoted: bool
    pos: int


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[str, ...]
    pos: int


@dataclass(frozen=True)
class Empty:
    pos: int


Operand = Value | Function | Empty


@dataclass(frozen=True)
class Clause:
    field: str
    operator: str  # lower case: "=", "!=", ">", "in", "not in", "is", "is not", ...
    operands: tuple[Operand, ...]  # one, or several for IN lists
    is_list: bool
    pos: int


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Clause | And | Or | Not


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool
    pos: int


@dataclass(frozen=True)
class Query:
    where: Node | None
    order_by: tuple[Sort, ...]


def _where(pos: int) -> str:
    return f"(line 1, character {pos + 1})"


def tokenize(jql: str) -> list[Token]:
    """Split ``jql`` into tokens; quoted strings keep their content with escapes resolved."""
    tokens: list[Token] = []
    i = 0
    while i < len(jql):
        ch = jql[i]
        if ch.isspace():
            i += 1
        elif ch in "(),":
            tokens.append(Token(ch, ch, i))
            i += 1
        elif ch in "\"'":
            i = _read_string(jql, i, tokens)
        elif jql.startswith("&&", i) or jql.startswith("||", i):
            tokens.append(Token("word", "and" if ch == "&" else "or", i))
            i += 2
        elif ch in "=!<>~":
            op = next((o for o in OPERATORS if jql.startswith(o, i)), None)
            if op is None:  # a lone "!" is NOT
                tokens.append(Token("word", "not", i))
                i += 1
            else:
                tokens.append(Token("op", op, i))
                i += len(op)
        else:
            start = i
            while i < len(jql) and not jql[i].isspace() and jql[i] not in RESERVED_CHARS:
                if jql.startswith("&&", i) or jql.startswith("||", i):
                    break
                i += 1
            tokens.append(Token("word", jql[start:i], start))
    tokens.append(Token("end", "", len(jql)))
    return tokens


def _read_string(jql: str, start: int, tokens: list[Token]) -> int:
    quote = jql[start]
    chars: list[str] = []
    i = start + 1
    while i < len(jql):
        ch = jql[i]
        if ch == "\\" and i + 1 < len(jql):
            chars.append(jql[i + 1])
            i += 2
            continue
        if ch == quote:
            tokens.append(Token("string", "".join(chars), start))
            return i + 1
        chars.append(ch)
        i += 1
    text = "".join(chars)
    raise JQLError(f"Error in the JQL Query: The quoted string '{text}' has not been completed. {_where(start)}")


def parse(jql: str) -> Query:
    """Parse ``jql`` into a ``Query``; raise ``JQLError`` with Jira's message if malformed."""
    return _Parser(tokenize(jql)).query()


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, expecting: str, extra: str = "") -> JQLError:
        tok = self.tok
        if tok.kind == "end":
            got = "Expecting " + expecting + " but reached the end of the query."
            return JQLError(f"Error in the JQL Query: {got}{extra} {_where(tok.pos)}")
        got = f"Expecting {expecting} but got '{tok.text}'."
        return JQLError(f"Error in the JQL Query: {got}{extra} {_where(tok.pos)}")

    def query(self) -> Query:
        where = None
        if self.tok.kind != "end" and self.tok.keyword != "order":
            where = self.or_expr()
        order: list[Sort] = []
        if self.tok.keyword == "order":
            self.take()
            if self.tok.keyword != "by":
                raise self.fail("'by'")
            self.take()
            order.append(self.sort())
            while self.tok.kind == ",":
                self.take()
                order.append(self.sort())
        if self.tok.kind != "end":
            raise self.fail("either 'OR' or 'AND'")
        return Query(where, tuple(order))

    def sort(self) -> Sort:
        tok = self.tok
        if tok.kind not in ("word", "string") or tok.keyword:
            raise self.fail("a field name")
        self.take()
        descending = False
        if self.tok.keyword in ("asc", "desc"):
            descending = self.take().keyword == "desc"
        return Sort(tok.text, descending, tok.pos)

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.tok.keyword == "or":
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while self.tok.keyword == "and":
            self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def not_expr(self) -> Node:
        if self.tok.keyword == "not":
            self.take()
            return Not(self.not_expr())
        if self.tok.kind == "(":
            self.take()
            node = self.or_expr()
            if self.tok.kind != ")":
                raise self.fail("')'")
            self.take()
            return node
        return self.clause()

    def clause(self) -> Clause:
        field = self.tok
        if field.kind not in ("word", "string") or field.keyword:
            raise self.fail("a field name")
        self.take()
        operator = self.operator()
        if operator in ("in", "not in"):
            if self.tok.kind != "(":
                raise self.fail("'('")
            operands = self.operand_list()
            return Clause(field.text, operator, operands, True, field.pos)
        if self.tok.kind == "(":
            raise self.fail("either a value or function", " Lists are only allowed with 'IN'.")
        return Clause(field.text, operator, (self.operand(),), False, field.pos)

    def operator(self) -> str:
        tok = self.tok
        if tok.kind == "op":
            self.take()
            return tok.text
        if tok.keyword == "in":
            self.take()
            return "in"
        if tok.keyword in ("is", "not"):
            self.take()
            if tok.keyword == "is" and self.tok.keyword == "not":
                self.take()
                return "is not"
            if tok.keyword == "not":
                if self.tok.keyword != "in":
                    raise self.fail("'IN'")
                self.take()
                return "not in"
            return "is"
        raise self.fail("operator", f" The valid operators are {VALID_OPERATORS}.")

    def operand_list(self) -> tuple[Operand, ...]:
        self.take()  # "("
        items = [self.operand()]
        while self.tok.kind == ",":
            self.take()
            items.append(self.operand())
        if self.tok.kind != ")":
            raise self.fail("')'")
        self.take()
        return tuple(items)

    def operand(self) -> Operand:
        tok = self.tok
        if tok.kind == "string":
            self.take()
            return Value(tok.text, True, tok.pos)
        if tok.kind != "word" or (tok.keyword and tok.keyword not in ("empty", "null")):
            raise self.fail(
                "either a value, list or function",
                f" You must surround '{tok.text}' in quotation marks to use it as a value." if tok.keyword else "",
            )
        self.take()
        if tok.keyword in ("empty", "null"):
            return Empty(tok.pos)
        if self.tok.kind == "(":
            self.take()
            args: list[str] = []
            while self.tok.kind in ("word", "string"):
                args.append(self.take().text)
                if self.tok.kind != ",":
                    break
                self.take()
            if self.tok.kind != ")":
                raise self.fail("')'")
            self.take()
            return Function(tok.text, tuple(args), tok.pos)
        return Value(tok.text, False, tok.pos)
