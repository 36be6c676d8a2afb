"""Find every Firestore query the code makes, by reading it (ast), and say which
composite index each one needs.

A query is a chain that starts at `.collection(...)` or `.collection_group(...)` and goes
through `.where(filter=FieldFilter(field, op, value))`, `.order_by(field, direction=...)`,
`.limit(...)` and the like, possibly across assignments (`query = query.where(...)`) and
if/else branches, until it runs (`.stream()`, `.get()`, `.count()`). Collection and field
names must be literals, module constants, or parameters that every call site passes as
such. Anything else raises `Unreadable` with its place: the check refuses to guess, so a
query it cannot read fails the test instead of slipping past it.

Reading beats recording queries during the integration tests: it sees every branch, not
only the ones a test happened to take.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EQUALITY = {
    "==",
    "in",
    "array_contains",
    "array_contains_any",
    "array-contains",
    "array-contains-any",
}
ARRAY = {"array_contains", "array_contains_any", "array-contains", "array-contains-any"}
RANGE = {"<", "<=", ">", ">=", "!=", "not-in", "not_in"}
RUNS = {"stream", "get", "count", "sum", "avg"}
PASS_THROUGH = {
    "limit",
    "limit_to_last",
    "offset",
    "start_at",
    "start_after",
    "end_at",
    "end_before",
    "select",
}


class Unreadable(Exception):
    """A query (or a part of one) this reader cannot resolve to literal names."""


@dataclass(frozen=True)
class Query:
    """One query shape: where it runs, what it filters on and how it is ordered."""

    collection: str
    scope: str  # COLLECTION or COLLECTION_GROUP
    filters: tuple[tuple[str, str], ...] = ()  # (field, op)
    orders: tuple[tuple[str, str], ...] = ()  # (field, ASCENDING|DESCENDING)
    place: str = ""

    def then(self, **changes: Any) -> Query:
        return Query(**{**self.__dict__, **changes})

    def __str__(self) -> str:
        parts = [f"{f} {op}" for f, op in self.filters] + [
            f"order by {f} {d}" for f, d in self.orders
        ]
        return f"{self.collection}: {', '.join(parts) or 'all'} ({self.place})"


@dataclass(frozen=True)
class IndexNeed:
    """A composite index: equality fields in any order, then the ordered fields."""

    collection: str
    scope: str
    equality: frozenset[tuple[str, str]]  # (field, CONTAINS|ANY)
    ordered: tuple[tuple[str, str], ...]

    def as_json(self) -> dict[str, Any]:
        """The entry to add to firestore.indexes.json."""
        fields = [
            {"fieldPath": f, "arrayConfig": "CONTAINS"}
            if kind == "CONTAINS"
            else {"fieldPath": f, "order": "ASCENDING"}
            for f, kind in sorted(self.equality)
        ]
        fields += [{"fieldPath": f, "order": d} for f, d in self.ordered]
        return {"collectionGroup": self.collection, "queryScope": self.scope, "fields": fields}

    def served_by(self, index: dict[str, Any]) -> bool:
        """True if this index from firestore.indexes.json serves the need."""
        if (
            index.get("collectionGroup") != self.collection
            or index.get("queryScope", "COLLECTION") != self.scope
        ):
            return False
        fields = index.get("fields", [])
        head, tail = fields[: len(self.equality)], fields[len(self.equality) :]
        as_equality = {
            (f["fieldPath"], "CONTAINS" if f.get("arrayConfig") else "ANY") for f in head
        }
        return as_equality == set(self.equality) and [
            (f.get("fieldPath"), f.get("order")) for f in tail
        ] == list(self.ordered)


def index_need(query: Query) -> IndexNeed | None:
    """The composite index a query needs, or None when Firestore's automatic single-field
    indexes serve it (one field only, or equality filters only: index merging)."""
    ranges = [f for f, op in query.filters if op in RANGE]
    unknown = [op for _, op in query.filters if op not in RANGE | EQUALITY]
    if unknown:
        raise Unreadable(f"{query.place}: unknown operator {unknown[0]!r}")
    if len(set(ranges)) > 1:
        raise Unreadable(f"{query.place}: inequalities on several fields: teach index_need")
    orders = list(query.orders)
    if ranges and ranges[0] not in [f for f, _ in orders]:
        orders.insert(0, (ranges[0], "ASCENDING"))  # Firestore orders by the inequality field
    if not orders:
        return None
    used = {f for f, _ in query.filters} | {f for f, _ in orders}
    if len(used) == 1:
        return None
    ordered_fields = {f for f, _ in orders}
    equality = frozenset(
        (f, "CONTAINS" if op in ARRAY else "ANY")
        for f, op in query.filters
        if op in EQUALITY and f not in ordered_fields
    )
    return IndexNeed(query.collection, query.scope, equality, tuple(orders))


# -- reading the code -------------------------------------------------------------------------
def find_queries(paths: Iterable[Path], root: Path) -> list[Query]:
    """Every query run in these modules."""
    found: list[Query] = []
    for path in paths:
        found.extend(queries_in_source(path.read_text(), str(path.relative_to(root))))
    return found


def queries_in_source(source: str, name: str) -> list[Query]:
    """Every query run in one module's source."""
    return _Module(ast.parse(source), name).queries()


class _Module:
    def __init__(self, tree: ast.Module, name: str) -> None:
        self.name = name
        self.constants = {
            t.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for t in node.targets
            if isinstance(t, ast.Name) and isinstance(node.value.value, str)
        }
        self.functions = [
            n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        self.found: list[Query] = []

    def queries(self) -> list[Query]:
        for function in self.functions:
            self._walk(function.body, {}, function)
        return self.found

    # statements --------------------------------------------------------------------------
    def _walk(
        self, body: list[ast.stmt], env: dict[str, list[Query]], fn: ast.AST
    ) -> dict[str, list[Query]]:
        for stmt in body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            if isinstance(stmt, ast.If):
                self._runs(stmt.test, env, fn)
                env = _merge(
                    self._walk(stmt.body, dict(env), fn), self._walk(stmt.orelse, dict(env), fn)
                )
            elif isinstance(stmt, ast.For | ast.AsyncFor | ast.While):
                self._runs(stmt.iter if not isinstance(stmt, ast.While) else stmt.test, env, fn)
                after = self._walk(stmt.body, dict(env), fn)
                if any(after.get(k) != v for k, v in env.items()) or set(after) - set(env):
                    raise Unreadable(f"{self._place(stmt)}: a query built in a loop")
                self._walk(stmt.orelse, dict(env), fn)
            elif isinstance(stmt, ast.With | ast.AsyncWith):
                for item in stmt.items:
                    self._runs(item.context_expr, env, fn)
                env = self._walk(stmt.body, env, fn)
            elif isinstance(stmt, ast.Try):
                env = self._walk(stmt.body, env, fn)
                for handler in stmt.handlers:
                    self._walk(handler.body, dict(env), fn)
                env = self._walk(stmt.finalbody, self._walk(stmt.orelse, env, fn), fn)
            else:
                self._runs(stmt, env, fn)
                self._assign(stmt, env, fn)
        return env

    def _assign(self, stmt: ast.stmt, env: dict[str, list[Query]], fn: ast.AST) -> None:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        else:
            return
        if isinstance(target, ast.Name):
            queries = self._query(value, env, fn)
            if queries is None:
                env.pop(target.id, None)
            else:
                env[target.id] = queries

    def _runs(self, node: ast.AST, env: dict[str, list[Query]], fn: ast.AST) -> None:
        """Record the queries run anywhere inside one expression or simple statement."""
        for call in ast.walk(node):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
                if call.func.attr in RUNS:
                    queries = self._query(call.func.value, env, fn)
                    if queries:
                        self.found.extend(q.then(place=self._place(call)) for q in queries)
                elif call.func.attr in ("where", "order_by"):
                    self._query(call, env, fn)  # raises if it is not a readable query

    # expressions -------------------------------------------------------------------------
    def _query(self, node: ast.AST, env: dict[str, list[Query]], fn: ast.AST) -> list[Query] | None:
        """The query (or alternatives) an expression evaluates to; None if not a query."""
        if isinstance(node, ast.Name):
            return env.get(node.id)
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            return None
        method, receiver = node.func.attr, node.func.value
        if method in ("collection", "collection_group") and node.args:
            scope = "COLLECTION" if method == "collection" else "COLLECTION_GROUP"
            return [Query(c, scope) for c in sorted(self._strings(node.args[0], fn))]
        if method not in ("where", "order_by") and method not in PASS_THROUGH:
            return None
        base = self._query(receiver, env, fn)
        if base is None:
            if method in PASS_THROUGH:
                return None
            raise Unreadable(f"{self._place(node)}: .{method}() on something not read as a query")
        if method in PASS_THROUGH:
            return base
        if method == "where":
            field, op = self._filter(node, fn)
            return [q.then(filters=(*q.filters, (field, op))) for q in base]
        field = next(iter(self._strings(node.args[0], fn))) if node.args else None
        if field is None:
            raise Unreadable(f"{self._place(node)}: order_by without a field")
        return [q.then(orders=(*q.orders, (field, self._direction(node)))) for q in base]

    def _filter(self, call: ast.Call, fn: ast.AST) -> tuple[str, str]:
        spec = next((k.value for k in call.keywords if k.arg == "filter"), None)
        if isinstance(spec, ast.Name):
            spec = self._assigned_once(fn, spec.id)
        args = spec.args if isinstance(spec, ast.Call) and _callee(spec) == "FieldFilter" else None
        if spec is None and len(call.args) == 3:
            args = call.args  # the older positional form
        if args is None or len(args) < 2:
            raise Unreadable(
                f"{self._place(call)}: a filter that is not FieldFilter(field, op, value)"
            )
        fields, ops = self._strings(args[0], fn), self._strings(args[1], fn)
        if len(fields) != 1 or len(ops) != 1:
            raise Unreadable(f"{self._place(call)}: a filter whose field or operator varies")
        return fields.pop(), ops.pop()

    def _assigned_once(self, fn: ast.AST, name: str) -> ast.AST | None:
        """The value of a local variable assigned exactly once in `fn`, else None."""
        values = [
            node.value
            for node in ast.walk(fn)
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name) and target.id == name
        ]
        return values[0] if len(values) == 1 else None

    def _direction(self, call: ast.Call) -> str:
        given = next((k.value for k in call.keywords if k.arg == "direction"), None)
        if given is None:
            return "ASCENDING"
        text = given.attr if isinstance(given, ast.Attribute) else getattr(given, "value", None)
        if text not in ("ASCENDING", "DESCENDING"):
            raise Unreadable(f"{self._place(call)}: an order direction that is not a constant")
        return text

    def _strings(self, node: ast.AST, fn: ast.AST, depth: int = 0) -> set[str]:
        """Every value a name or literal can have here (call sites supply parameters)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.Name):
            if node.id in self.constants:
                return {self.constants[node.id]}
            params = [a.arg for a in getattr(fn, "args", ast.arguments()).args]
            if node.id in params and depth < 3:
                return self._from_call_sites(fn, params.index(node.id), node.id, depth)
            value = self._assigned_once(fn, node.id)
            if value is not None and depth < 3:
                return self._strings(value, fn, depth + 1)
        raise Unreadable(f"{self._place(node)}: {ast.unparse(node)} is not a literal or constant")

    def _from_call_sites(self, fn: Any, position: int, name: str, depth: int) -> set[str]:
        values: set[str] = set()
        is_method = bool(fn.args.args) and fn.args.args[0].arg == "self"
        for caller in self.functions:
            for call in ast.walk(caller):
                if not (isinstance(call, ast.Call) and _callee(call) == fn.name):
                    continue
                given = next((k.value for k in call.keywords if k.arg == name), None)
                index = position - (1 if is_method and isinstance(call.func, ast.Attribute) else 0)
                if given is None and index < len(call.args):
                    given = call.args[index]
                if given is None:
                    raise Unreadable(f"{self._place(call)}: {name} not passed to {fn.name}")
                values |= self._strings(given, caller, depth + 1)
        if not values:
            raise Unreadable(f"{self.name}: {fn.name}() is never called, so {name} is unknown")
        return values

    def _place(self, node: ast.AST) -> str:
        return f"{self.name}:{getattr(node, 'lineno', '?')}"


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _merge(a: dict[str, list[Query]], b: dict[str, list[Query]]) -> dict[str, list[Query]]:
    merged = dict(a)
    for key, queries in b.items():
        merged[key] = list(dict.fromkeys([*merged.get(key, []), *queries]))
    return merged
