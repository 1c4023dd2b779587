"""Jinja templates: load and check them against the sheet once, then render a row at a time.

Templates render in a sandboxed, strict environment: an empty cell is undefined, so using it
without `default` is an error for that row rather than a message that reads "Hello ,".
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import missing

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
        # Only a column (a plain name, or a key of `row`) is an empty cell. Anything else, such
        # as an attribute the sandbox refused, keeps Jinja's own error and its reason.
        column = self._undefined_obj is missing or isinstance(self._undefined_obj, dict)
        if column and self._undefined_hint is None:
            raise EmptyValue(self._undefined_name or "?")
        return super()._fail_with_undefined_error(*args, **kwargs)

    __str__ = __iter__ = __len__ = __eq__ = __ne__ = __hash__ = __contains__ = (
        _fail_with_undefined_error
    )

    # `{% if company %}...{% endif %}` is a deliberate choice about an empty cell, not an
    # accident, so an empty cell tests false instead of failing the row.
    def __bool__(self) -> bool:  # type: ignore[override]
        return False


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


@dataclass(frozen=True)
class Templates:
    message: _Template
    subject: _Template | None
    layout: SheetLayout

    def render(self, row: Row) -> Rendered:
        """Render the message (and subject) for one row; RowProblem says why it cannot be."""
        context: dict[str, Any] = {
            name: row.values[header]
            for name, header in self.layout.names.items()
            if header in row.values
        }
        context["row"] = row.values
        message = self._render(self.message, context, row)
        subject = self._render(self.subject, context, row) if self.subject else None
        return Rendered(message, subject or None)

    def _render(self, tmpl: _Template, context: dict[str, Any], row: Row) -> str:
        try:
            return tmpl.template.render(context).strip()
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
    message = _load(message_path, layout, sheet_name)
    subject = _load(subject_path, layout, sheet_name) if subject_path else None
    return Templates(message, subject, layout)


def _load(path: Path, layout: SheetLayout, sheet_name: str) -> _Template:
    env = SandboxedEnvironment(
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
    try:
        ast = env.parse(source, path.name, str(path))
        template = env.from_string(ast)
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"{path.name}: line {err.lineno}: {err.message}") from None
    _check_names(ast, env, layout, path.name, sheet_name)
    return _Template(path, template)


def _check_names(
    ast: nodes.Template,
    env: jinja2.Environment,
    layout: SheetLayout,
    template_name: str,
    sheet_name: str,
) -> None:
    for name in sorted(meta.find_undeclared_variables(ast)):
        layout.refuse_shared(name, template_name)  # a name several columns give
        if name == "row" or name in env.globals or name in layout.names:
            continue
        raise TemplateError(
            f"{template_name}: uses {name!r}, which is not a column of {sheet_name}"
            + _suggest(name, list(layout.names))
        )
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
        layout.refuse_shared(header, template_name, header=True)
        if header not in layout.data_headers:
            raise TemplateError(
                f"{template_name}: line {node.lineno}: uses row[{header!r}], which is not a "
                f"column of {sheet_name}" + _suggest(header, list(layout.data_headers))
            )


def _suggest(name: str, choices: list[str]) -> str:
    folded = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(name.lower(), list(folded), n=1, cutoff=0.6)
    return f" (did you mean {folded[close[0]]!r}?)" if close else ""
