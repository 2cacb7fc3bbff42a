"""mypy's strict flags hold for the pure analysis and the store (set per module in
pyproject.toml), and the code passes them."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from tests.conftest import ROOT

STRICT_FLAGS = ("disallow_any_generics", "disallow_untyped_defs", "disallow_incomplete_defs",
                "disallow_untyped_calls", "check_untyped_defs", "warn_return_any",
                "no_implicit_reexport", "strict_equality", "warn_unused_ignores")


def test_analysis_and_store_are_checked_strictly():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mypy"]
    strict = [o for o in cfg["overrides"] if "mapapp.analysis.*" in o["module"]
              and "mapapp.store.*" in o["module"]]
    assert strict and all(strict[0].get(flag) is True for flag in STRICT_FLAGS), strict
    run = subprocess.run([sys.executable, "-m", "mypy", "-p", "mapapp.analysis", "-p",
                          "mapapp.store"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "Success" in run.stdout
