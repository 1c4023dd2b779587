"""Jinja templates: load and check them against the sheet once, then render a row at a time.

Templates render in a sandboxed, strict environment: an empty cell is undefined, so printing it
without `default` is an error for that row rather than a message that reads "Hello ,". All that
can be checked without a row (the columns named, filters, tests, included files) is checked at
load, so a mistake is one campaign error, not an invalid row for everyone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
from jinja2.lexer import Lexer
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import missing

from .blocklines import StandaloneLexer
from .errors import TemplateError
from .rows import Row, SheetLayout
from .templatecheck import Checker, SingleBraces


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
    # The names the templates read (see `Checker`); None where they may read any column.
    reads: frozenset[str] | None = None
    # A row's context holds the columns the templates read, by name (`_names`); all of them
    # (`_columns` None) where they use `row` or may read any. Most templates read a few of a
    # sheet's columns: their values are a third of the cost of rendering a row.
    _names: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)
    _columns: tuple[tuple[int, str], ...] | None = field(init=False, repr=False, compare=False)
    # Whether each of those columns' template name is its header (snake_case headers): a row's
    # values are then its context as they are, with no dictionary built name by name.
    _plain: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        layout, reads = self.layout, self.reads
        names, columns = layout.names, None
        headers = set(layout.data_headers)
        if reads is not None and "row" not in reads:
            names = {name: header for name, header in names.items() if name in reads}
            headers = set(names.values())
            columns = tuple((i, h) for i, h in layout.data_columns if h in headers)
        plain = all(n == h for n, h in names.items()) and set(names) == headers
        object.__setattr__(self, "_names", tuple(names.items()))
        object.__setattr__(self, "_columns", columns)
        object.__setattr__(self, "_plain", plain)

    def render(self, row: Row) -> Rendered:
        """Render the message (and subject) for one row; RowProblem says why it cannot be."""
        values = row.values if self._columns is None else row.values_of(self._columns)
        if self._plain:  # every column's template name is its header: the values as they are
            context: dict[str, Any] = {**values, "row": values}
        else:
            context = {name: values[h] for name, h in self._names if h in values}
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
    message, checked = _load(message_path, layout, sheet_name)
    subject, braces, reads = None, checked.single_braces, set(checked.reads)
    whole_row = checked.whole_row
    if subject_path:
        subject, checked = _load(subject_path, layout, sheet_name)
        braces, whole_row = braces + checked.single_braces, whole_row or checked.whole_row
        reads |= checked.reads
    return Templates(
        message, subject, layout, tuple(braces), None if whole_row else frozenset(reads)
    )


def _load(path: Path, layout: SheetLayout, sheet_name: str) -> tuple[_Template, Checker]:
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
    checker = Checker(env, path.parent, layout, sheet_name)
    ast = checker.check(source, path.name, str(path))
    try:
        template = env.from_string(ast)
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"{path.name}: line {err.lineno}: {err.message}") from None
    return _Template(path, template), checker


class _Environment(SandboxedEnvironment):
    """The sandbox, with a lexer that drops the lines that hold only tags."""

    @cached_property
    def lexer(self) -> Lexer:
        return StandaloneLexer(self)
