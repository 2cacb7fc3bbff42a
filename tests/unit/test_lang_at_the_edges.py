"""Words are made at the edges (docs/ARCHITECTURE.md): the import and analysis code takes no
``lang`` at all, and wherever ``lang`` remains it is keyword-only -- but for the i18n primitives
themselves (``t(key, lang)``, ``tn``, ``fmt_number``, …) and the ``text(lang)`` of a message-like
object (a :class:`~mapapp.i18n.Message`, an error, a renderable parameter)."""

from __future__ import annotations

import ast

from tests.conftest import ROOT

PRIMITIVES = {("mapapp/i18n/__init__.py", name) for name in
              ("resolve_lang", "messages", "t", "tn", "render")} | {
    ("mapapp/i18n/numbers.py", "fmt_number"), ("mapapp/i18n/numbers.py", "fmt_percent")}
#: a document the import writes for people (the rejects CSV), keyword-only
IO_DOCUMENTS = {("mapapp/io/pipeline.py", "write_rejects")}


def _functions() -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """(path, function, is a method) of every function of mapapp."""
    out = []
    for path in sorted((ROOT / "mapapp").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text("utf-8"))
        methods = {id(f) for c in ast.walk(tree) if isinstance(c, ast.ClassDef)
                   for f in c.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)}
        out += [(rel, f, id(f) in methods) for f in ast.walk(tree)
                if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)]
    return out


def _takes_lang(f: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[bool, bool]:
    """(takes lang at all, takes it positionally)."""
    positional = {a.arg for a in f.args.posonlyargs + f.args.args}
    return "lang" in positional | {a.arg for a in f.args.kwonlyargs}, "lang" in positional


def test_the_scan_sees_the_functions():
    names = {(p, f.name) for p, f, _ in _functions()}
    assert names >= PRIMITIVES | IO_DOCUMENTS
    assert ("mapapp/render/figures.py", "verdict_text") in names


def test_lang_is_keyword_only_outside_the_i18n_primitives():
    positional = [f"{p}:{f.lineno} {f.name}" for p, f, method in _functions()
                  if _takes_lang(f)[1] and (p, f.name) not in PRIMITIVES
                  and not (method and f.name == "text")]
    assert not positional, positional


def test_import_and_analysis_take_no_lang():
    found = [f"{p}:{f.lineno} {f.name}" for p, f, method in _functions()
             if p.startswith(("mapapp/io/", "mapapp/analysis/")) and _takes_lang(f)[0]
             and (p, f.name) not in IO_DOCUMENTS and not (method and f.name == "text")]
    assert not found, found


def test_the_checks_fail_on_a_positional_lang():
    tree = ast.parse("def f(x, lang='sv'):\n    pass\n\ndef g(x, *, lang):\n    pass\n")
    f, g = (n for n in tree.body if isinstance(n, ast.FunctionDef))
    assert _takes_lang(f) == (True, True) and _takes_lang(g) == (True, False)
