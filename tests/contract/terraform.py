"""Read the Terraform in infra/ as data, without Terraform: parse every *.tf with
python-hcl2 and expand `for_each` and `dynamic` blocks into concrete instances.

Only the plain expressions infra/ uses are evaluated: literals, `each.*`, `local.*`,
`var.*`, dynamic-block iterators, `toset(...)`, references to resources and data sources,
and string templates made of those. References stay symbolic (`Ref`), rendered as
`${type.name["key"].attr}`. Anything else (conditionals, for-expressions, other functions)
becomes `Opaque`, so a check that needs its value fails and names it instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


@dataclass(frozen=True)
class Ref:
    """A reference to an attribute of a resource or data source instance."""

    address: str  # google_pubsub_topic.topic["match-found"]
    path: tuple[str | int, ...] = ()

    def attr(self, name: str | int) -> Ref:
        return Ref(self.address, (*self.path, name))

    def __str__(self) -> str:
        rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path)
        return "${" + self.address + rest + "}"


@dataclass(frozen=True)
class Var:
    """An input variable (its value is only known at apply time)."""

    name: str

    def __str__(self) -> str:
        return "${var." + self.name + "}"


@dataclass(frozen=True)
class Opaque:
    """An expression this reader does not evaluate."""

    expression: str

    def __str__(self) -> str:
        return "${" + self.expression + "}"


def address(resource_type: str, name: str, key: Any = None) -> str:
    """`type.name` or `type.name["key"]`, as Terraform writes an instance address."""
    base = f"{resource_type}.{name}"
    if key is None:
        return base
    return f'{base}["{key}"]' if isinstance(key, str) else f"{base}[{key}]"


@dataclass
class Scope:
    """What names mean while evaluating one instance."""

    each: tuple[Any, Any] | None = None
    iterators: dict[str, tuple[Any, Any]] = field(default_factory=dict)


class Terraform:
    """Every block of a Terraform folder, with `for_each` expansion."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.locals: dict[str, Any] = {}
        self.variables: dict[str, dict[str, Any]] = {}
        self.resources: dict[str, dict[str, dict[str, Any]]] = {}
        self.data: dict[str, dict[str, dict[str, Any]]] = {}
        self.terraform: list[dict[str, Any]] = []
        options = hcl2.SerializationOptions(with_comments=False, strip_string_quotes=True)
        for path in sorted(folder.glob("*.tf")):
            with path.open() as handle:
                document = hcl2.load(handle, serialization_options=options)
            self._collect(document, path)

    def _collect(self, document: dict[str, Any], path: Path) -> None:
        for block in document.get("locals", []):
            for name, value in _clean(block).items():
                if name in self.locals:
                    raise ValueError(f"{path.name}: local.{name} is defined twice")
                self.locals[name] = value
        for block in document.get("variable", []):
            self.variables.update(_clean(block))
        for kind, target in (("resource", self.resources), ("data", self.data)):
            for block in document.get(kind, []):
                for rtype, named in block.items():
                    for name, body in named.items():
                        if name in target.setdefault(rtype, {}):
                            raise ValueError(f"{path.name}: {rtype}.{name} is declared twice")
                        target[rtype][name] = body
        self.terraform.extend(_clean(b) for b in document.get("terraform", []))

    # -- instances -------------------------------------------------------------------------
    def instances(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """Every instance of every resource of a type, by address, attributes evaluated."""
        found: dict[str, dict[str, Any]] = {}
        for name, body in self.resources.get(resource_type, {}).items():
            for key, attributes in self._expand(body).items():
                found[address(resource_type, name, key)] = attributes
        return found

    def local(self, name: str) -> Any:
        """The value of `local.<name>`, evaluated."""
        return self.evaluate(self.locals[name], Scope())

    def at(self, ref: Ref | str) -> dict[str, Any]:
        """The instance a reference points to (KeyError if nothing is declared there)."""
        where = ref.address if isinstance(ref, Ref) else ref
        return self.instances(where.split(".", 1)[0])[where]

    def instance(self, resource_type: str, name: str, key: Any = None) -> dict[str, Any]:
        """One instance of one resource, attributes evaluated (KeyError if it is absent)."""
        return self._expand(self.resources[resource_type][name])[key]

    def _expand(self, body: dict[str, Any]) -> dict[Any, dict[str, Any]]:
        if "count" in body:
            raise ValueError("count is not supported here: use for_each over a local")
        if "for_each" not in body:
            return {None: self._block(body, Scope())}
        collection = self.evaluate(body["for_each"], Scope())
        if isinstance(collection, dict):
            pairs = list(collection.items())
        elif isinstance(collection, list):
            pairs = [(item, item) for item in collection]
        else:
            raise ValueError(f"cannot expand for_each = {body['for_each']!r}")
        return {key: self._block(body, Scope(each=(key, value))) for key, value in pairs}

    def _block(self, body: dict[str, Any], scope: Scope) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in body.items():
            if key in ("for_each", "depends_on", "lifecycle", "__is_block__"):
                continue
            if key == "dynamic":
                for dynamic in value:
                    for label, spec in dynamic.items():
                        out.setdefault(label, []).extend(self._dynamic(label, spec, scope))
            elif _is_block_list(value):
                out.setdefault(key, []).extend(self._block(b, scope) for b in value)
            else:
                out[key] = self.evaluate(value, scope)
        return out

    def _dynamic(self, label: str, spec: dict[str, Any], scope: Scope) -> list[dict[str, Any]]:
        iterator = spec.get("iterator", label)
        collection = self.evaluate(spec["for_each"], scope)
        if isinstance(collection, Opaque | Ref | Var):
            raise ValueError(f"dynamic {label!r}: cannot expand for_each {collection}")
        pairs = collection.items() if isinstance(collection, dict) else enumerate(collection)
        blocks = []
        for key, value in pairs:
            inner = Scope(scope.each, {**scope.iterators, iterator: (key, value)})
            for content in spec["content"]:
                blocks.append(self._block(content, inner))
        return blocks

    # -- expressions -----------------------------------------------------------------------
    def evaluate(self, value: Any, scope: Scope) -> Any:
        """A parsed HCL value with its expressions evaluated as far as this reader can."""
        if isinstance(value, dict):
            return {k: self.evaluate(v, scope) for k, v in value.items() if k != "__is_block__"}
        if isinstance(value, list):
            return [self.evaluate(v, scope) for v in value]
        if not isinstance(value, str) or "${" not in value:
            return value
        parts = _template_parts(value)
        if len(parts) == 1 and isinstance(parts[0], _Interpolation):
            return self._expression(parts[0].text, scope)
        rendered = []
        for part in parts:
            if isinstance(part, _Interpolation):
                result = self._expression(part.text, scope)
                rendered.append(
                    str(result) if not isinstance(result, bool) else str(result).lower()
                )
            else:
                rendered.append(part)
        return "".join(rendered)

    def _expression(self, text: str, scope: Scope) -> Any:
        try:
            parser = _Parser(text)
            value = self._parse_value(parser, scope)
            parser.expect_end()
        except _Unsupported:
            return Opaque(text)
        return value

    def _parse_value(self, parser: _Parser, scope: Scope) -> Any:
        if parser.peek('"'):
            return parser.string()
        if parser.peek("["):
            return self._list(parser, scope)
        if (number := parser.number()) is not None:
            return number
        name = parser.identifier()
        if parser.peek("("):
            return self._call(name, parser, scope)
        return self._path(name, parser, scope)

    def _list(self, parser: _Parser, scope: Scope) -> list[Any]:
        parser.take("[")
        items = []
        while not parser.peek("]"):
            items.append(self._parse_value(parser, scope))
            if not parser.peek("]"):
                parser.take(",")
        parser.take("]")
        return items

    def _call(self, name: str, parser: _Parser, scope: Scope) -> Any:
        if name not in ("toset", "tolist"):
            raise _Unsupported(name)
        parser.take("(")
        value = self._parse_value(parser, scope)
        parser.take(")")
        if not isinstance(value, list):
            raise _Unsupported(name)
        return sorted(set(value), key=str) if name == "toset" else value

    def _path(self, root: str, parser: _Parser, scope: Scope) -> Any:
        if root == "each":
            if scope.each is None:
                raise _Unsupported("each outside for_each")
            value: Any = self._each(parser.attribute(), scope.each)
        elif root in scope.iterators:
            value = self._each(parser.attribute(), scope.iterators[root])
        elif root == "local":
            name = parser.attribute()
            if name not in self.locals:
                raise KeyError(f"local.{name} is not defined")
            value = self.evaluate(self.locals[name], Scope())
        elif root == "var":
            value = Var(parser.attribute())
        elif root == "path":
            value = f"<path.{parser.attribute()}>"
        elif root == "data":
            rtype, name = parser.attribute(), parser.attribute()
            value = Ref(f"data.{rtype}.{name}")
        elif root in self.resources:
            name = parser.attribute()
            key = self._index(parser, scope) if parser.peek("[") else None
            value = Ref(address(root, name, key))
        else:
            raise _Unsupported(root)
        while parser.peek(".") or parser.peek("["):
            step: Any = parser.attribute() if parser.peek(".") else self._index(parser, scope)
            value = _step(value, step)
        return value

    def _index(self, parser: _Parser, scope: Scope) -> Any:
        parser.take("[")
        key = self._parse_value(parser, scope)
        parser.take("]")
        if isinstance(key, Opaque | Ref | Var):
            raise _Unsupported("index")
        return key

    @staticmethod
    def _each(name: str, pair: tuple[Any, Any]) -> Any:
        if name not in ("key", "value"):
            raise _Unsupported(name)
        return pair[0] if name == "key" else pair[1]


def _step(value: Any, step: Any) -> Any:
    if isinstance(value, Ref):
        return value.attr(step)
    if isinstance(value, dict) and step in value:
        return value[step]
    if isinstance(value, list) and isinstance(step, int) and step < len(value):
        return value[step]
    raise _Unsupported(f"{step!r}")


class _Unsupported(Exception):
    pass


@dataclass(frozen=True)
class _Interpolation:
    text: str


def _template_parts(value: str) -> list[str | _Interpolation]:
    """Split a string into literal text and `${...}` interpolations (nesting-aware)."""
    parts: list[str | _Interpolation] = []
    i = 0
    while (start := value.find("${", i)) != -1:
        if start > i:
            parts.append(value[i:start])
        depth, j = 0, start + 1
        while j < len(value):
            depth += {"{": 1, "}": -1}.get(value[j], 0)
            if depth == 0:
                break
            j += 1
        parts.append(_Interpolation(value[start + 2 : j].strip()))
        i = j + 1
    if i < len(value):
        parts.append(value[i:])
    return parts


class _Parser:
    """Just enough of HCL's expression syntax for references and literals."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def _skip(self) -> None:
        while self.i < len(self.text) and self.text[self.i].isspace():
            self.i += 1

    def peek(self, token: str) -> bool:
        self._skip()
        return self.text.startswith(token, self.i)

    def take(self, token: str) -> None:
        if not self.peek(token):
            raise _Unsupported(self.text)
        self.i += len(token)

    def identifier(self) -> str:
        self._skip()
        match = IDENT.match(self.text, self.i)
        if not match:
            raise _Unsupported(self.text)
        self.i = match.end()
        return match.group()

    def attribute(self) -> str:
        self.take(".")
        return self.identifier()

    def number(self) -> int | float | None:
        self._skip()
        match = NUMBER.match(self.text, self.i)
        if not match:
            return None
        self.i = match.end()
        return float(match.group()) if match.group(1) else int(match.group())

    def string(self) -> str:
        self.take('"')
        end = self.text.find('"', self.i)
        if end == -1 or "${" in self.text[self.i : end]:
            raise _Unsupported(self.text)
        value, self.i = self.text[self.i : end], end + 1
        return value

    def expect_end(self) -> None:
        self._skip()
        if self.i != len(self.text):
            raise _Unsupported(self.text)


def _is_block_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and v.get("__is_block__") for v in value)
    )


def _clean(block: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in block.items() if k != "__is_block__"}
