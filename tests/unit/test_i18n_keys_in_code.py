"""Every message key the code can build exists in Swedish and in English.

The code is read with :mod:`ast`: the first argument of ``t``, ``tn``, ``tr``, ``bilingual``,
``Message``, ``flash``, the error classes and ``Problem(row, field, key)``. A literal key must
be a key (``tn`` keys and plural Problems as ``<key>.one``/``<key>.other``). A key built with
an f-string is expanded over the values its placeholder can take (:data:`DOMAINS`, taken from
the code's own constants); an f-string pattern that is not listed there must at least match
keys, and the keys it matches must be the same in both languages.
"""

from __future__ import annotations

import ast
import json
import re

import pytest

from mapapp import categories as cats
from mapapp.access import Role
from mapapp.analysis.grid import GI_CLASSES
from mapapp.analysis.periods import ALL_BANDS, PERIOD_KINDS
from mapapp.analysis.significance import TRENDS
from mapapp.analysis.wdd import VERDICTS
from mapapp.i18n import messages
from mapapp.measures import FIELDS
from mapapp.walks import PARTICIPANT_GROUPS
from tests.conftest import ROOT

CALLS = {"t", "tn", "tr", "bilingual", "Message", "flash", "_done", "problem", "p", "_finding"}
ERRORS = {"MapAppError", "ConfigurationError", "NotFoundError", "PermissionDeniedError",
          "StoreError", "DataValidationError"}
PLURAL_CALLS = {"tn"}
SITE_KINDS = sorted({f["properties"]["kind"] for f in json.loads(
    (ROOT / "data" / "geo" / "sites.geojson").read_text("utf-8"))["features"]})

#: f-string key pattern (placeholders written ``{}``) -> every value the placeholder can take.
DOMAINS: dict[str, tuple[str, ...]] = {
    "role.{}": tuple(r.value for r in Role),
    "io.kind.{}": ("incident", "observation", "zone"),
    "measures.field.{}": (*FIELDS, "id", "overdue", "note", "noted_on", "author_role",
                          "incident", "observation"),
    "measures.rev.{}": ("lagesbild", "plan", "priorities"),
    "measures.rev.{}_never": ("lagesbild", "plan", "priorities"),
    "measures.hist.{}": ("create", "update", "note", "link"),
    "measures.ui.kind_{}": ("incident", "observation"),
    "map.site_kind.{}": tuple(SITE_KINDS),
    "snapshot.site_kind.{}": tuple(SITE_KINDS),
    "map.filter.kind.{}": PERIOD_KINDS,
    "snapshot.h.counts_{}": ("incident", "observation"),
    "walks.walkstatus.{}": cats.WALK_STATUSES,
    "walks.status.{}": cats.OBSERVATION_STATUSES,
    "walks.group.{}": PARTICIPANT_GROUPS,
    "walks.rating.{}": cats.RATING_KEYS,
    "wdd.verdict.{}": VERDICTS,
    "wdd.comparison.{}": ("same_months_last_year", "immediately_before"),
    "sig.trend.{}": TRENDS,
    "analysis.gi.{}": GI_CLASSES,
    "analysis.bandphrase.{}": ALL_BANDS,
}


def _keys_in_code() -> tuple[set[str], set[str], set[str]]:
    """(literal keys, literal plural keys, f-string patterns) of every module of mapapp."""
    literal, plural, patterns = set(), set(), set()
    for path in sorted((ROOT / "mapapp").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            fn = node.func
            name = fn.id if isinstance(fn, ast.Name) else (
                fn.attr if isinstance(fn, ast.Attribute) else "")
            arg: ast.expr | None = None
            if (name in CALLS or name in ERRORS) and node.args:
                arg = node.args[0]
                if name == "Message" and (any(k.arg == "count" for k in node.keywords)
                                          or len(node.args) >= 3):
                    name = "tn"  # Message(key, params, count): a plural message
            elif name == "Problem" and len(node.args) >= 3:
                arg = node.args[2]
                if any(k.arg == "count" for k in node.keywords) or len(node.args) >= 5:
                    name = "tn"
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                (plural if name in PLURAL_CALLS else literal).add(arg.value)
            elif isinstance(arg, ast.JoinedStr):
                parts = [v.value if isinstance(v, ast.Constant) else "{}" for v in arg.values]
                patterns.add("".join(str(p) for p in parts))
    return literal, plural, patterns


LITERAL, PLURAL, PATTERNS = _keys_in_code()
KEYISH = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


def test_the_scan_finds_the_code_keys():
    assert len(LITERAL) > 500 and "zone.not_found" in LITERAL and "measures.err.summary" in LITERAL
    assert "role.{}" in PATTERNS and "measures.field.{}" in PATTERNS


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_literal_key_exists(lang):
    have = messages(lang)
    missing = sorted(k for k in LITERAL if KEYISH.match(k) and k not in have)
    missing += sorted(f"{k}.one/other" for k in PLURAL
                      if not {f"{k}.one", f"{k}.other"} <= set(have))
    assert not missing, missing


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_f_string_key_exists_for_every_value(lang):
    have = messages(lang)
    missing = [pattern.replace("{}", value) for pattern, values in DOMAINS.items()
               if pattern in PATTERNS for value in values
               if pattern.replace("{}", value) not in have]
    assert not missing, missing


def test_other_f_string_keys_match_the_same_keys_in_both_languages():
    sv, en = set(messages("sv")), set(messages("en"))
    for pattern in sorted(PATTERNS - set(DOMAINS)):
        if not KEYISH.match(pattern.replace("{}", "x")) or pattern.startswith("{}"):
            continue  # not a message key (an error text, the plural suffix of i18n itself)
        rx = re.compile("^" + re.escape(pattern).replace(r"\{\}", r"[a-z0-9_]+") + "$")
        in_sv, in_en = {k for k in sv if rx.match(k)}, {k for k in en if rx.match(k)}
        assert in_sv, f"no message key matches {pattern}"
        assert in_sv == in_en, (pattern, in_sv ^ in_en)
