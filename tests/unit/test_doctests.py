"""The docstring examples of every module of ``mapapp`` and ``layers`` run as tests (so
``make test`` runs them, from a clean clone). A module without examples counts as passing; the
test at the end checks that the examples are really found."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import layers
import mapapp

#: Modules that only run inside another program (Alembic's migration environment).
_SKIP_PREFIXES = ("mapapp.store.migrations",)


def _modules() -> list[str]:
    names = []
    for pkg in (mapapp, layers):
        names.append(pkg.__name__)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{pkg.__name__}."):
            if not info.name.startswith(_SKIP_PREFIXES):
                names.append(info.name)
    return sorted(names)


MODULES = _modules()


@pytest.mark.parametrize("name", MODULES)
def test_doctests_pass(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_doctests_are_found() -> None:
    """The collection above really sees the examples (a broken walk would pass vacuously)."""
    finder = doctest.DocTestFinder()
    attempted = {name: sum(len(t.examples) for t in finder.find(importlib.import_module(name)))
                 for name in ("mapapp.i18n", "mapapp.values", "mapapp.i18n.numbers",
                              "mapapp.timezone", "mapapp.errors")}
    assert all(n > 0 for n in attempted.values()), attempted
    assert len(MODULES) > 100
