"""Give a parsed JQL query its meaning over the site's issues: a predicate and a sort order.

Values are resolved against the site up front (an unknown status, project or account id is
an error, as in Jira), so evaluation per issue is plain comparisons. Like Jira, ``!=`` and
``NOT IN`` never match an empty field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.jira import jql_dates
from sandbox.jira.jql import And, Clause, Empty, Function, JQLError, Node, Not, Or, Query
from sandbox.jira.model import CATEGORIES, PRIORITIES, PRIORITY_RANK, STATUSES, Issue, Project, User

Predicate = Callable[[Issue], bool]

# JQL name (lower case) -> (canonical field, kind)
FIELDS = {
    "assignee": ("assignee", "user"),
    "reporter": ("reporter", "user"),
    "project": ("project", "project"),
    "status": ("status", "status"),
    "statuscategory": ("statusCategory", "category"),
    "priority": ("priority", "priority"),
    "updated": ("updated", "date"),
    "updateddate": ("updated", "date"),
    "created": ("created", "date"),
    "createddate": ("created", "date"),
    "duedate": ("duedate", "date"),
    "due": ("duedate", "date"),
    "key": ("key", "key"),
    "issuekey": ("key", "key"),
}
KNOWN_BUT_UNSUPPORTED = {"summary", "text", "labels", "description", "comment", "sprint", "resolution"}
OPERATORS_BY_KIND = {
    "user": {"=", "!=", "in", "not in", "is", "is not"},
    "project": {"=", "!=", "in", "not in"},
    "status": {"=", "!=", "in", "not in"},
    "category": {"=", "!=", "in", "not in"},
    "priority": {"=", "!=", "in", "not in"},
    "date": {"=", "!=", ">", ">=", "<", "<=", "is", "is not"},
    "key": {"=", "!=", "in", "not in"},
}


@dataclass
class Context:
    """What a query is evaluated against: the site, the clock and the searcher."""

    users: dict[str, User]
    projects: list[Project]
    issue_keys: set[str]
    now: datetime
    tz: ZoneInfo
    current_account_id: str


def field_error(name: str) -> JQLError:
    """Jira's message for a field that does not exist."""
    return JQLError(f"Field '{name}' does not exist or you do not have permission to view it.")


def compile_where(node: Node | None, ctx: Context) -> Predicate:
    """A predicate for ``node``; every issue matches when there is no WHERE part."""
    if node is None:
        return lambda issue: True
    if isinstance(node, And):
        parts = [compile_where(p, ctx) for p in node.parts]
        return lambda issue: all(p(issue) for p in parts)
    if isinstance(node, Or):
        parts = [compile_where(p, ctx) for p in node.parts]
        return lambda issue: any(p(issue) for p in parts)
    if isinstance(node, Not):
        inner = compile_where(node.part, ctx)
        return lambda issue: not inner(issue)
    return _clause(node, ctx)


def _clause(clause: Clause, ctx: Context) -> Predicate:
    name = clause.field.lower()
    if name not in FIELDS:
        if name in KNOWN_BUT_UNSUPPORTED:
            raise JQLError(f"The Muster sandbox does not support searching on the field '{clause.field}'.")
        raise field_error(clause.field)
    field, kind = FIELDS[name]
    op = clause.operator
    if op not in OPERATORS_BY_KIND[kind]:
        raise JQLError(f"The operator '{op.upper()}' is not supported by the '{clause.field}' field.")
    has_empty = any(isinstance(o, Empty) for o in clause.operands)
    if op in ("is", "is not") and not has_empty:
        raise JQLError(f"The operator '{op.upper()}' only supports searching for 'EMPTY' or 'NULL'.")
    get = _getter(field, ctx)
    if kind == "date":
        return _date_clause(clause, field, get, ctx)
    wanted = {_resolve(o, clause.field, kind, ctx) for o in clause.operands if not isinstance(o, Empty)}
    if op in ("=", "in", "is"):
        return lambda issue: (v := get(issue)) in wanted or (has_empty and v is None)
    # "!=", "not in", "is not": never matches an empty field
    return lambda issue: (v := get(issue)) is not None and v not in wanted


def _getter(field: str, ctx: Context) -> Callable[[Issue], Any]:
    if field == "assignee":
        return lambda i: i.assignee_id
    if field == "reporter":
        return lambda i: i.reporter_id
    if field == "project":
        return lambda i: i.project_key
    if field == "status":
        return lambda i: i.status.id
    if field == "statusCategory":
        return lambda i: i.status.category.key
    if field == "priority":
        return lambda i: i.priority.lower()
    if field == "key":
        return lambda i: i.key
    if field == "duedate":
        # a due date is a day; Jira compares it as midnight in the searcher's zone
        return lambda i: None if i.duedate is None else datetime.combine(i.duedate, time(), tzinfo=ctx.tz)
    return lambda i: getattr(i, field)


def _resolve(operand, field: str, kind: str, ctx: Context) -> str:
    if isinstance(operand, Function):
        if kind == "user" and operand.name.lower() == "currentuser":
            return ctx.current_account_id
        raise JQLError(f"Unable to find JQL function '{operand.name}({','.join(operand.args)})'.")
    text = operand.text
    lowered = text.lower()
    missing = JQLError(f"The value '{text}' does not exist for the field '{field}'.")
    if kind == "user":
        if text not in ctx.users:
            raise missing
        return text
    if kind == "project":
        for p in ctx.projects:
            if lowered in (p.key.lower(), p.name.lower(), p.id):
                return p.key
        raise missing
    if kind == "status":
        for s in STATUSES:
            if lowered in (s.name.lower(), s.id):
                return s.id
        raise missing
    if kind == "category":
        for c in CATEGORIES.values():
            if lowered in (c.key, c.name.lower(), str(c.id)):
                return c.key
        raise missing
    if kind == "priority":
        for pid, name in PRIORITIES:
            if lowered in (name.lower(), pid):
                return name.lower()
        raise missing
    key = text.upper()
    if key not in ctx.issue_keys:
        raise JQLError(f"An issue with key '{text}' does not exist for field '{field}'.")
    return key


def _date_clause(clause: Clause, field: str, get, ctx: Context) -> Predicate:
    operand = clause.operands[0]
    op = clause.operator
    if isinstance(operand, Empty):
        if op in ("=", "is"):
            return lambda issue: get(issue) is None
        if op in ("!=", "is not"):
            return lambda issue: get(issue) is not None
        raise JQLError(f"The operator '{op}' does not support the value 'EMPTY'.")
    if isinstance(operand, Function):
        if operand.name.lower() not in jql_dates.DAY_FUNCTIONS:
            raise JQLError(f"Unable to find JQL function '{operand.name}({','.join(operand.args)})'.")
        when = jql_dates.day_function(operand.name, operand.args, ctx.now, ctx.tz)
    else:
        when = jql_dates.parse_date_value(operand.text, clause.field, ctx.now, ctx.tz)
    if op in ("=", "!="):
        # equality at Jira's display precision (minutes)
        lo = when.replace(second=0, microsecond=0)
        hi = lo + timedelta(minutes=1)
        inside = (lambda v: lo <= v < hi) if op == "=" else (lambda v: not lo <= v < hi)
        return lambda issue: (v := get(issue)) is not None and inside(v)
    compare = {
        ">": lambda v: v > when,
        ">=": lambda v: v >= when,
        "<": lambda v: v < when,
        "<=": lambda v: v <= when,
    }[op]
    return lambda issue: (v := get(issue)) is not None and compare(v)


SORTABLE = {
    "key": lambda i, ctx: (i.project_key, i.number),
    "created": lambda i, ctx: i.created,
    "updated": lambda i, ctx: i.updated,
    "duedate": lambda i, ctx: i.duedate,
    "priority": lambda i, ctx: -PRIORITY_RANK[i.priority.lower()],
    "status": lambda i, ctx: STATUSES.index(i.status),
    "assignee": lambda i, ctx: ctx.users[i.assignee_id].display_name if i.assignee_id else None,
    "project": lambda i, ctx: i.project_key,
    "summary": lambda i, ctx: i.summary.lower(),
}


def sort_issues(issues: list[Issue], query: Query, ctx: Context) -> list[Issue]:
    """Issues in the query's order; empty values sort last ascending (first descending).

    Without ORDER BY the sandbox orders by ``created DESC``, then key, so pages are stable.
    """
    sorts = [(s.field, s.descending) for s in query.order_by] or [("created", True)]
    resolved = []
    for name, descending in sorts:
        canonical = FIELDS.get(name.lower(), (name.lower(), None))[0]
        if canonical not in SORTABLE:
            if name.lower() in FIELDS or name.lower() in KNOWN_BUT_UNSUPPORTED:
                raise JQLError(f"Field '{name}' does not support sorting.")
            raise field_error(name)
        resolved.append((SORTABLE[canonical], descending))
    ordered = sorted(issues, key=lambda i: (i.project_key, i.number))
    # stable sorts applied from the last key to the first give a multi-key order
    for key_fn, descending in reversed(resolved):
        ordered.sort(key=lambda i, f=key_fn: _nulls_last(f(i, ctx)), reverse=descending)
    return ordered


def _nulls_last(value):
    return (value is None, value if value is not None else 0)


def compile_query(query: Query, ctx: Context) -> Predicate:
    """Validate ``query`` against ``ctx`` (raising ``JQLError``) and return its predicate."""
    if query.where is None:
        # /search/jql refuses queries without a restriction
        raise JQLError("Unbounded JQL queries are not allowed here. Please add a search restriction to your query.")
    return compile_where(query.where, ctx)
