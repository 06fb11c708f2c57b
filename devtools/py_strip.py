"""Shrink a Python module for shipping without moving a single line.

The pages download pyapp's sources and Pyodide compiles them at start-up, so every byte of a
docstring, comment or indentation is downloaded, unpacked and tokenised on every cold visit.
``strip_python`` removes those bytes the way a JavaScript minifier would, but keeps every
statement on its original line: a traceback in the browser console names the same line
numbers as the file in the repository, which is what a source map buys a JS bundle.

What goes: docstrings (a body left empty gets ``...``), comments, trailing whitespace,
indentation (one space per block level; continuation lines inside brackets lose theirs, as
whitespace there means nothing to Python), and the annotations of function parameters and
return values (never evaluated: every module has ``from __future__ import annotations``, and
nothing reads them at run time). Annotations of assignments stay, since dataclasses read
their fields from them. What stays: every other character, string contents included.
``same_program`` is the check that holds the result to that promise; ``strip_python``
refuses to return anything that fails it.
"""

from __future__ import annotations

import ast
import io
import tokenize

_BLOCKS = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_Function = ast.FunctionDef | ast.AsyncFunctionDef
_LAYOUT = {tokenize.INDENT, tokenize.DEDENT, tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT,
           tokenize.ENCODING, tokenize.ENDMARKER}


def _rows(source: str) -> list[str]:
    """The rows as tokenize and ast count them: split at "\\n" only (``str.splitlines``
    also splits at characters such as U+2028, which may sit inside a string)."""
    return io.StringIO(source).readlines()


def _docstrings(tree: ast.Module, source: str) -> list[tuple[list[ast.stmt], ast.Expr]]:
    """Each docstring that has its rows to itself, with the body it opens.

    A docstring sharing a row with code (``def f(): "doc"``) is kept: blanking its row would
    take the code with it.
    """
    rows = [line.encode() for line in _rows(source)]
    found: list[tuple[list[ast.stmt], ast.Expr]] = []
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not (isinstance(node, _BLOCKS) and body and isinstance(body[0], ast.Expr)):
            continue
        doc = body[0]
        if not (isinstance(doc.value, ast.Constant) and isinstance(doc.value.value, str)):
            continue
        before = rows[doc.lineno - 1][: doc.col_offset]
        after = rows[(doc.end_lineno or doc.lineno) - 1][doc.end_col_offset:].strip()
        if before.strip() or (after and not after.startswith(b"#")):
            continue
        found.append((body, doc))
    return found


def _docstring_lines(tree: ast.Module, source: str) -> tuple[set[int], set[int]]:
    """Rows that hold a docstring, and the first rows of those that are a body's only statement."""
    rows: set[int] = set()
    sole: set[int] = set()
    for body, doc in _docstrings(tree, source):
        rows.update(range(doc.lineno, (doc.end_lineno or doc.lineno) + 1))
        if len(body) == 1:
            sole.add(doc.lineno)
    return rows, sole


def strip_python(source: str) -> str:
    """``source`` without docstrings, comments, function annotations and most whitespace, every
    line kept in place. Raises ValueError if the result would not be the same program."""
    stripped = _strip_annotations(_strip_layout(source))
    if not same_program(source, stripped):
        raise ValueError("stripping would change the program (a py_strip bug: please report "
                         "the module)")
    return stripped


def _strip_layout(source: str) -> str:
    """Docstrings, comments and whitespace out of ``source``; lines stay in place."""
    tree = ast.parse(source)
    doc_rows, sole_doc_rows = _docstring_lines(tree, source)
    lines = _rows(source)
    depth = 0
    logical_start = True  # the next significant token begins a statement
    first_col: dict[int, tuple[int, bool, int]] = {}  # row -> (column, starts statement, depth)
    comment_col: dict[int, int] = {}
    open_at_end: set[int] = set()  # rows that end inside a string running onto the next row
    string_rows: set[int] = set()  # rows that begin inside such a string
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        kind, (row, col), (end_row, _) = token.type, token.start, token.end
        if kind == tokenize.INDENT:
            depth += 1
        elif kind == tokenize.DEDENT:
            depth -= 1
        elif kind == tokenize.COMMENT:
            comment_col[row] = col
        elif kind not in _LAYOUT:
            first_col.setdefault(row, (col, logical_start, depth))
            if end_row > row:
                open_at_end.update(range(row, end_row))
                string_rows.update(range(row + 1, end_row + 1))
        if kind == tokenize.NEWLINE:
            logical_start = True
        elif kind not in _LAYOUT:
            logical_start = False

    out: list[str] = []
    for row, line in enumerate(lines, start=1):
        newline = line[len(line.rstrip("\r\n")):]
        text = line[: len(line) - len(newline)]
        if row in doc_rows:
            text = " " * first_col[row][2] + "..." if row in sole_doc_rows else ""
        else:
            if row in comment_col:
                text = text[: comment_col[row]]
            if row not in open_at_end:
                text = text.rstrip()
            if row not in string_rows and row in first_col:
                col, starts, level = first_col[row]
                text = (" " * level if starts else "") + text[col:]
            elif row not in string_rows:
                text = ""  # blank, or a comment alone on its line
        out.append(text + newline)
    return "".join(out)


def _annotated(tree: ast.AST) -> list[tuple[ast.arg | None, ast.expr, _Function]]:
    """(parameter or None for a return value, annotation, function) for every function."""
    found: list[tuple[ast.arg | None, ast.expr, _Function]] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
                if arg is not None and arg.annotation is not None:
                    found.append((arg, arg.annotation, node))
            if node.returns is not None:
                found.append((None, node.returns, node))
    return found


def _strip_annotations(source: str) -> str:
    """Parameter and return annotations out of ``source``, where each sits on one row."""
    rows = [line.encode() for line in _rows(source)]
    cuts: dict[int, list[tuple[int, int]]] = {}  # row index -> byte spans to remove
    for arg, annotation, _ in _annotated(ast.parse(source)):
        row, end = annotation.end_lineno, annotation.end_col_offset
        if row is None or end is None:
            continue
        if arg is not None:
            if arg.lineno != row:
                continue
            start = arg.col_offset + len(arg.arg.encode())  # "name: T" -> "name"
        else:
            if annotation.lineno != row:
                continue
            arrow = rows[row - 1].rfind(b"->", 0, annotation.col_offset)
            if arrow < 0:
                continue  # the arrow is on an earlier row: leave this one
            start = len(rows[row - 1][:arrow].rstrip())  # ") -> T:" -> "):"
        cuts.setdefault(row - 1, []).append((start, end))
    for index, spans in cuts.items():
        line = rows[index]
        for start, end in sorted(spans, reverse=True):
            line = line[:start] + line[end:]
        rows[index] = line
    return b"".join(rows).decode()


def _without_annotations(tree: ast.Module) -> ast.Module:
    for arg, _, function in _annotated(tree):
        if arg is not None:
            arg.annotation = None
        else:
            function.returns = None
    return tree


def _without_docstrings(source: str) -> ast.Module:
    tree = ast.parse(source)
    for body, _ in _docstrings(tree, source):
        body[0:1] = [ast.Expr(ast.Constant(...))] if len(body) == 1 else []
    return tree


def _statement_rows(tree: ast.Module) -> list[tuple[str, int]]:
    return [(type(node).__name__, node.lineno) for node in ast.walk(tree)
            if isinstance(node, ast.stmt) and not _is_ellipsis(node)]


def _is_ellipsis(node: ast.AST) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and node.value.value is ...)


def same_program(original: str, stripped: str) -> bool:
    """True when ``stripped`` is ``original`` less its docstrings and function annotations,
    with every statement on the same line."""
    before = _without_annotations(_without_docstrings(original))
    after = _without_annotations(ast.parse(stripped))
    return (ast.dump(before) == ast.dump(after)
            and _statement_rows(before) == _statement_rows(after))
