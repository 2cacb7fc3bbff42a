"""The order of a snapshot document, shared by the DOCX, PDF and HTML writers, so the three
hold the same content under the same headings as the council's minutes ("Lägesbild",
"Prioriterade områden, insatser, uppföljning").

Text in the blocks is plain user text (not escaped): each writer escapes it for its medium.
:func:`plain` removes what no document format can hold (control characters other than tab
and newline), so a stray NUL in a note cannot break an export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mapapp.i18n import t
from mapapp.snapshot.content import Snapshot, Table

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def plain(value: Any) -> str:
    """Text any document can hold: None -> "", control characters removed.

    >>> plain("a\\x00b\\tc"), plain(None), plain('=HYPERLINK("x")')
    ('ab\\tc', '', '=HYPERLINK("x")')
    """
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return ""
    return _CONTROL.sub("", str(value))


def column_weights(tb: Table) -> list[float]:
    """Relative column widths: the table's own :attr:`~Table.widths` when it has them, else
    the longest line of each column (a cell of several lines is as wide as its longest line;
    the header counts one character more so it does not wrap), at least 10 and at most 60
    characters.

    >>> tb = Table("t", ["Plats", "Uppföljning"],
    ...            [["Älvsjö", "start 2023-04-21\\nklart 2024-06-30"]])
    >>> column_weights(tb)
    [10.0, 16.0]
    >>> column_weights(Table("t", ["a", "b"], [], widths=(1.0, 3.0)))
    [1.0, 3.0]
    """
    if tb.widths is not None:
        return [float(w) for w in tb.widths]
    return [float(min(max([len(h) + 1, 10] + [max(len(line) for line in r[i].split("\n"))
                                               for r in tb.rows]), 60))
            for i, h in enumerate(tb.headers)]


def fit_widths(weights: list[float], need: list[float], total: float) -> list[float]:
    """Widths over ``total`` in proportion to ``weights``, but none narrower than its ``need``
    (the column's widest word, so no word is cut in the middle): a column raised to its need
    takes the room from the others, in proportion to their weights. When the needs do not fit
    at all, the proportional widths.

    >>> fit_widths([1.0, 1.0, 2.0], [0.0, 3.0, 0.0], 8.0)
    [1.6666666666666667, 3.0, 3.3333333333333335]
    >>> fit_widths([1.0, 1.0], [5.0, 5.0], 8.0)
    [4.0, 4.0]
    """
    if sum(need) > total:
        return [total * w / sum(weights) for w in weights]
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(weights)) if i not in fixed]
        room = total - sum(fixed.values())
        scale = sum(weights[i] for i in free)
        widths = {i: room * weights[i] / scale for i in free}
        short = {i: need[i] for i in free if widths[i] < need[i]}
        if not short:
            return [fixed.get(i, widths.get(i, 0.0)) for i in range(len(weights))]
        fixed.update(short)


def longest_words(tb: Table) -> list[tuple[int, int]]:
    """Per column: (characters of the widest cell word, of the widest header word)."""
    def widest(texts: list[str]) -> int:
        return max((len(w) for text in texts for w in plain(text).split()), default=0)

    return [(widest([r[i] for r in tb.rows]), widest([h])) for i, h in enumerate(tb.headers)]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 0 title, 1 section, 2 subsection


@dataclass(frozen=True)
class Para:
    text: str
    small: bool = False


@dataclass(frozen=True)
class Meta:
    pairs: list[tuple[str, str]]


@dataclass(frozen=True)
class Bullets:
    label: str
    items: list[str]


@dataclass(frozen=True)
class MapImage:
    caption: str


@dataclass(frozen=True)
class TableBlock:
    table: Table
    level: int = 2


Block = Heading | Para | Meta | Bullets | MapImage | TableBlock


def blocks(snap: Snapshot) -> list[Block]:
    """The document, top to bottom."""
    lang = snap.lang
    compared = ", ".join(snap.periods[:-1])
    out: list[Block] = [
        Heading(snap.title, 0),
        Meta([
            (t("snapshot.meta.area", lang), snap.area),
            (t("snapshot.meta.period", lang), f"{snap.period} ({compared})" if compared
             else snap.period),
            (t("snapshot.meta.exported", lang), snap.exported_at.strftime("%Y-%m-%d %H:%M")),
            (t("snapshot.meta.since", lang), snap.since.isoformat()),
        ]),
        Heading(t("snapshot.h.lagesbild", lang), 1),
    ]
    if snap.lagesbild:
        out.append(Para(snap.lagesbild))
    out.append(MapImage(f"{snap.area} · {snap.period}"))
    out += [TableBlock(tb) for tb in snap.counts]
    if snap.statistics:
        out.append(Heading(t("snapshot.h.statistics", lang), 2))
        out += [TableBlock(tb, level=3) for tb in snap.statistics]
    out.append(TableBlock(snap.observations))
    out.append(Heading(t("snapshot.h.priorities", lang), 1))
    for key, items in (("snapshot.meta.priority_areas", snap.priority_areas),
                       ("snapshot.meta.goals", snap.goals),
                       ("snapshot.meta.actors", snap.actors)):
        if items:
            out.append(Bullets(t(key, lang), list(items)))
    out.append(TableBlock(snap.hotspots))
    out.append(TableBlock(snap.measures))
    return out
