"""What can be known of a template without a row: its syntax, the columns it names (and which
it reads, so a row's context holds only those), its filters and tests, the files it includes,
and the `{name}` written where `{{ name }}` was meant. Raises TemplateError; pure but for
reading the included files."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from jinja2 import meta, nodes

from .errors import TemplateError
from .rows import SheetLayout


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


JINJA_DOCS = "https://jinja.palletsprojects.com/en/stable/templates/"


@dataclass
class Checker:
    """What can be known of a template without a row: its syntax, the columns it names, its
    filters and tests, and the files it includes, which are checked the same way. `reads` are
    the names its files read, of which the columns are all a row's context needs; unless
    `whole_row`: a file is included by a name worked out per row, which may read any."""

    env: jinja2.Environment
    folder: Path  # where included files are read from
    layout: SheetLayout
    sheet_name: str
    seen: set[str] = field(default_factory=set)
    single_braces: list[SingleBraces] = field(default_factory=list)
    reads: set[str] = field(default_factory=set)
    whole_row: bool = False

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
        # Every name read anywhere, though a {% set %} may hide it: more than needed is harmless.
        self.reads |= {n.name for n in ast.find_all(nodes.Name) if n.ctx == "load"}
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
                self.whole_row = True
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
