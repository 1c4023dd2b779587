"""Jinja templates: load and check them against the sheet once, then render a row at a time.

Templates render in a sandboxed, strict environment: an empty cell is undefined, so printing it
without `default` is an error for that row rather than a message that reads "Hello ,". All that
can be checked without a row (the columns named, filters, tests, included files) is checked at
load, so a mistake is one campaign error, not an invalid row for everyone.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.lexer import Lexer
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import missing

from .blocklines import StandaloneLexer
from .errors import TemplateError
from .rows import Row, SheetLayout


class EmptyValue(jinja2.UndefinedError):
    """A template used a cell that is empty in this row."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name!r} is undefined")
        self.name = name


class _StrictCell(jinja2.StrictUndefined):
    # StrictUndefined's own error text ("'dict object' has no attribute ...") does not say
    # which column; raising with the name lets the row's status name it.
    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> Any:
        if self._is_cell():
            raise EmptyValue(self._undefined_name or "?")
        return super()._fail_with_undefined_error(*args, **kwargs)

    def _is_cell(self) -> bool:
        # Only a column (a plain name, or a key of `row`) is an empty cell. Anything else, such
        # as an attribute the sandbox refused, keeps Jinja's own error and its reason.
        column = self._undefined_obj is missing or isinstance(self._undefined_obj, dict)
        return column and self._undefined_hint is None

    __str__ = __iter__ = __len__ = __hash__ = __contains__ = _fail_with_undefined_error

    # `{% if company %}...{% endif %}` is a deliberate choice about an empty cell, not an
    # accident, so an empty cell tests false instead of failing the row; and it compares as
    # the empty text it is: `{% if company != '' %}` is false for it, `== 'Acme'` too.
    def __bool__(self) -> bool:  # type: ignore[override]
        return False

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        if not self._is_cell():
            return bool(self._fail_with_undefined_error())
        return bool(other == "")

    def __ne__(self, other: object) -> bool:  # type: ignore[override]
        return not self.__eq__(other)


class NothingToShow(Exception):
    """An expression gave None or NaN, which would print as "None" or "nan"."""


def _finalize(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise NothingToShow(str(value))
    return value


class RowProblem(Exception):
    """A row cannot be rendered; the text is the row's status detail."""


@dataclass(frozen=True)
class Rendered:
    message: str
    subject: str | None


@dataclass(frozen=True)
class SingleBraces:
    """Text in single braces, `{first_name}`: sent as written, where `{{ first_name }}` was
    most likely meant. Not an error (the text may be meant), so the dry run shows it."""

    template: str  # the template file's name
    line: int
    text: str  # as written: "{first_name}"

    @property
    def fix(self) -> str:
        """What to write instead: `{{ first_name }}`, or `{{ row['First Name'] }}`."""
        inner = self.text[1:-1].strip()
        return f"{{{{ {inner} }}}}" if inner.isidentifier() else f"{{{{ row[{inner!r}] }}}}"

    def __str__(self) -> str:
        return (
            f"{self.template}: line {self.line}: {self.text} has single braces, so it is sent "
            f"as written; write {self.fix} to fill it in"
        )


# A name, or a few words, in single braces: how other tools write placeholders.
_SINGLE_BRACES = re.compile(r"\{[ \t]*[^\W\d]\w*(?:[ \t.-]+\w+){0,3}[ \t]*\}")


def find_single_braces(source: str, template: str) -> tuple[SingleBraces, ...]:
    """Every `{name}` in the text of a template's source (not inside its `{{ }}`, `{% %}` or
    comments), with its line. Pure; the source must be one Jinja can read."""
    found = []
    for lineno, kind, value in jinja2.Environment().lex(source):
        if kind != "data":
            continue
        for match in _SINGLE_BRACES.finditer(value):
            line = lineno + value.count("\n", 0, match.start())
            found.append(SingleBraces(template, line, match.group()))
    return tuple(found)


@dataclass(frozen=True)
class _Template:
    path: Path
    template: jinja2.Template

    @cached_property
    def _globals(self) -> dict[str, Any]:
        return dict(self.template.globals)

    def render(self, context: dict[str, Any]) -> str:
        """`Template.render`, with the template's globals taken once rather than merged from
        their chain of mappings for every row (a third of the render's time); the Context made
        as `new_context` makes it, given them as that dict (the set of names it makes of the
        ChainMap cost a fifth again)."""
        template, names, environment = self.template, self._globals, self.template.environment
        merged = environment.context_class(
            environment, {**names, **context}, template.name, template.blocks, globals=names
        )
        return environment.concat(template.root_render_func(merged))


@dataclass(frozen=True)
class Templates:
    message: _Template
    subject: _Template | None
    layout: SheetLayout
    # `{first_name}` in the templates and the files they include, for the dry run to show.
    single_braces: tuple[SingleBraces, ...] = ()
    # Whether each data column's template name is its header (snake_case headers): a row's
    # values are then its context as they are, with no dictionary built name by name.
    _plain: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = self.layout.names
        plain = all(n == h for n, h in names.items())
        object.__setattr__(self, "_plain", plain and set(names) == set(self.layout.data_headers))

    def render(self, row: Row) -> Rendered:
        """Render the message (and subject) for one row; RowProblem says why it cannot be."""
        values = row.values
        if self._plain:  # every column's template name is its header: the values as they are
            context: dict[str, Any] = {**values, "row": values}
        else:
            context = {name: values[h] for name, h in self.layout.names.items() if h in values}
            context["row"] = values
        message = self._render(self.message, context, row)
        subject = self._render(self.subject, context, row) if self.subject else None
        return Rendered(message, subject or None)

    def _render(self, tmpl: _Template, context: dict[str, Any], row: Row) -> str:
        try:
            return tmpl.render(context).strip()
        except EmptyValue as err:
            header = self.layout.names.get(err.name, err.name)
            said = row.placeholders.get(header)
            what = f"says {said!r}, which counts as empty" if said else "is empty"
            raise RowProblem(
                f"{header} {what} (used by {tmpl.path.name} without a default)"
            ) from None
        except NothingToShow as err:
            raise RowProblem(
                f"{tmpl.path.name}: an expression renders {err} (no value); "
                "give it a default, e.g. {{ x | default('...', true) }}"
            ) from None
        except jinja2.TemplateError as err:
            raise RowProblem(f"{tmpl.path.name}: {err}") from None
        except Exception as err:  # a filter failing on this row's data, e.g. int('abc')
            raise RowProblem(f"{tmpl.path.name}: {type(err).__name__}: {err}") from None


def load_templates(
    message_path: Path, subject_path: Path | None, layout: SheetLayout, sheet_name: str
) -> Templates:
    """Load both templates and check every column they name exists in the sheet."""
    message, braces = _load(message_path, layout, sheet_name)
    subject = None
    if subject_path:
        subject, subject_braces = _load(subject_path, layout, sheet_name)
        braces += subject_braces
    return Templates(message, subject, layout, braces)


def _load(
    path: Path, layout: SheetLayout, sheet_name: str
) -> tuple[_Template, tuple[SingleBraces, ...]]:
    env = _Environment(
        loader=jinja2.FileSystemLoader(path.parent),
        undefined=_StrictCell,
        autoescape=False,
        finalize=_finalize,
    )
    try:
        source = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateError(f"{path.name}: not UTF-8 text; save the template as UTF-8") from None
    except OSError as err:
        raise TemplateError(f"{path.name}: cannot read: {err.strerror}") from None
    checker = _Checker(env, path.parent, layout, sheet_name)
    ast = checker.check(source, path.name, str(path))
    try:
        template = env.from_string(ast)
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"{path.name}: line {err.lineno}: {err.message}") from None
    return _Template(path, template), tuple(checker.single_braces)


JINJA_DOCS = "https://jinja.palletsprojects.com/en/stable/templates/"


@dataclass
class _Checker:
    """What can be known of a template without a row: its syntax, the columns it names, its
    filters and tests, and the files it includes, which are checked the same way."""

    env: jinja2.Environment
    folder: Path  # where included files are read from
    layout: SheetLayout
    sheet_name: str
    seen: set[str] = field(default_factory=set)
    single_braces: list[SingleBraces] = field(default_factory=list)

    def check(
        self, source: str, name: str, filename: str, outer: frozenset[str] = frozenset()
    ) -> nodes.Template:
        """Check one file; `outer` holds the names the files including it set."""
        try:
            ast = self.env.parse(source, name, filename)
            self._filters_and_tests(ast, name)
            self._names(ast, name, outer)  # runs Jinja's code generator, which checks more
        except jinja2.TemplateSyntaxError as err:
            raise _syntax_error(err, source, name, self.layout) from None
        self._row_keys(ast, name)
        self.single_braces += find_single_braces(source, name)
        self._included(ast, name, outer | _declared(ast))
        return ast

    def _names(self, ast: nodes.Template, name: str, outer: frozenset[str]) -> None:
        known = self.layout.names
        undeclared = meta.find_undeclared_variables(ast) - outer
        for used_name in sorted(undeclared):
            self.layout.refuse_shared(used_name, name)  # a name several columns give
        unknown = undeclared - {"row", *self.env.globals, *known}
        used = [n for n in ast.find_all(nodes.Name) if n.name in unknown and n.ctx == "load"]
        if used:
            first = min(used, key=lambda n: n.lineno)
            raise TemplateError(
                f"{name}: line {first.lineno}: uses {first.name!r}, which is not a column of "
                f"{self.sheet_name}" + _suggest(first.name, list(known))
            )

    def _row_keys(self, ast: nodes.Template, name: str) -> None:
        # row['First Name'] and row.Company name columns by their header.
        for node in ast.find_all((nodes.Getitem, nodes.Getattr)):
            assert isinstance(node, nodes.Getitem | nodes.Getattr)
            if not (isinstance(node.node, nodes.Name) and node.node.name == "row"):
                continue
            if isinstance(node, nodes.Getattr):
                if hasattr(dict, node.attr):  # row.get('x'), row.items() are not columns
                    continue
                header = node.attr
            elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                header = node.arg.value
            else:
                continue
            self.layout.refuse_shared(header, name, header=True)
            if header not in self.layout.data_headers:
                raise TemplateError(
                    f"{name}: line {node.lineno}: uses row[{header!r}], which is not a column "
                    f"of {self.sheet_name}" + _suggest(header, list(self.layout.data_headers))
                )

    def _filters_and_tests(self, ast: nodes.Template, name: str) -> None:
        # Jinja leaves an unknown filter or test inside {% if %} to fail when reached, which
        # would be once per row: here it is one error before anything is sent.
        for node in ast.find_all((nodes.Filter, nodes.Test)):
            assert isinstance(node, nodes.Filter | nodes.Test)
            kind, known = (
                ("filter", self.env.filters)
                if isinstance(node, nodes.Filter)
                else ("test", self.env.tests)
            )
            if node.name not in known:
                hint = _suggest(node.name, list(known)) or (
                    f"; the {kind}s are listed at {JINJA_DOCS}#list-of-builtin-{kind}s"
                )
                raise TemplateError(
                    f"{name}: line {node.lineno}: there is no {kind} named {node.name!r}{hint}"
                )

    def _included(self, ast: nodes.Template, name: str, scope: frozenset[str]) -> None:
        assert self.env.loader is not None
        kinds = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)
        for node in ast.find_all(kinds):
            assert isinstance(node, kinds)
            target = node.template
            if not (isinstance(target, nodes.Const) and isinstance(target.value, str)):
                continue  # a name computed per row is checked when rendered
            included = target.value
            if included in self.seen:
                continue
            self.seen.add(included)
            try:
                source, filename, _ = self.env.loader.get_source(self.env, included)
            except jinja2.TemplateNotFound:
                if isinstance(node, nodes.Include) and node.ignore_missing:
                    continue
                raise TemplateError(
                    f"{name}: line {node.lineno}: includes {included!r}, which is not a file "
                    f"in {self.folder}"
                ) from None
            except UnicodeDecodeError:
                raise TemplateError(
                    f"{included}: not UTF-8 text; save the template as UTF-8"
                ) from None
            self.check(source, included, filename or included, scope)


def _declared(ast: nodes.Template) -> frozenset[str]:
    """The names a template sets (`{% set %}`, loops, macros, imports), which a file it
    includes sees too."""
    names = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
    names |= {m.name for m in ast.find_all(nodes.Macro)}
    names |= {i.target for i in ast.find_all(nodes.Import)}
    for node in ast.find_all(nodes.FromImport):
        names |= {n if isinstance(n, str) else n[1] for n in node.names}
    return frozenset(names)


def _syntax_error(
    err: jinja2.TemplateSyntaxError, source: str, name: str, layout: SheetLayout
) -> TemplateError:
    where = f"{name}: line {err.lineno}"
    lines = source.splitlines()
    line = lines[err.lineno - 1] if 0 < err.lineno <= len(lines) else ""
    header = _spaced_header(line, layout)
    if header is None:
        return TemplateError(f"{where}: {err.message}")
    plain = next((n for n, h in layout.names.items() if h == header), None)
    fix = (f"{{{{ {plain} }}}} or " if plain else "") + f"{{{{ row[{header!r}] }}}}"
    return TemplateError(
        f"{where}: the column {header!r} has a space, so Jinja cannot read it as a name; "
        f"write {fix}"
    )


def _spaced_header(line: str, layout: SheetLayout) -> str | None:
    """A header with a space that a tag on this line writes as a bare name, `{{ First Name }}`:
    Jinja reads `First` as a name and stumbles on `Name`."""
    tags = " ".join(re.findall(r"\{[{%](.*?)(?:[}%]\}|$)", line))
    for header in layout.data_headers:
        words = header.split()
        bare = r"(?<![\w'\"])" + r"\s+".join(map(re.escape, words)) + r"(?![\w'\"])"
        if len(words) > 1 and re.search(bare, tags, re.IGNORECASE):
            return header
    return None


def _suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name.lower(), [c.lower() for c in choices], n=1, cutoff=0.6)
    if not close:
        return ""
    # Of `Company` and `company`, the one written most like the mistake.
    same = [c for c in choices if c.lower() == close[0]]
    best = max(same, key=lambda c: difflib.SequenceMatcher(None, name, c).ratio())
    return f" (did you mean {best!r}?)"


class _Environment(SandboxedEnvironment):
    """The sandbox, with a lexer that drops the lines that hold only tags."""

    @cached_property
    def lexer(self) -> Lexer:
        return StandaloneLexer(self)
