"""Measures (åtgärder/insatser): the action plan per zone or site, with follow-up.

**Rules.**

- *Overdue*: the due date has passed (``due < today``) and the status is neither ``genomford``
  nor ``avbruten`` (:func:`.rules.is_overdue`). A measure due today is not overdue yet.
- *Revision reminders* (the agreement in the minutes of 2023-04-21, after the law): a zone is
  flagged when its lägesbild or its action plan was last revised more than two years ago, or
  its priorities were last reviewed more than four years ago, or the date is missing
  (:func:`.rules.revision_flags`). Revised on 2021-04-21 is "more than two years ago" from
  2023-04-22 on.
- *Today* is the local date in Europe/Stockholm unless a ``today`` is given.

**Permissions.** Every role with ``VIEW_AGGREGATES`` may list and read measures; adding,
changing, notes, links and actors need ``EDIT_MEASURES``. Every write is audited (entity
``"measure"`` or ``"actor"``) in the same transaction and bumps the data version. Notes carry
the author's role, never a name; the history shows user names only to roles that may read the
audit log.

**Validation** collects every problem (unknown zone/site/actor/priority area/status, bad
dates, due before start, empty title, identity numbers in text …) and raises one
:class:`~mapapp.errors.DataValidationError`; nothing is written then. Each problem carries a
message key and parameters and names its field (``Problem.field``), so the page shows it under
that field and the CLI in the user's language.

Modules: :mod:`.query` (reading), :mod:`.validate` (one check per field), :mod:`.write`
(add, change, notes, links, actors), :mod:`.rules` (overdue, revision reminders, statuses and
priority areas; no I/O). The public functions are re-exported here, as in :mod:`mapapp.walks`.
"""

from __future__ import annotations

from mapapp.measures._tables import (
    DATE_FIELDS,
    FIELDS,
    FRAME_COLUMNS,
    HISTORY_COLUMNS,
    JSON_FIELDS,
    LIST_COLUMNS,
    MAX_TITLE,
)
from mapapp.measures.query import (
    before_after,
    find_zone,
    get_measure,
    history,
    list_actors,
    list_measures,
    measure_points,
    measures_frame,
    records,
    select_measures,
)
from mapapp.measures.rules import (
    CLOSED,
    LAGESBILD_YEARS,
    PLAN_YEARS,
    PRIORITIES_YEARS,
    add_years,
    contains_identity_number,
    is_overdue,
    personal_data_warnings,
    reason_text,
    resolve_priority_area,
    resolve_status,
    revision_flags,
    status_label,
    sv_key,
)
from mapapp.measures.validate import ids_from_text, validate
from mapapp.measures.write import add_actor, add_measure, add_note, link_points, update_measure

__all__ = [
    "CLOSED", "DATE_FIELDS", "FIELDS", "FRAME_COLUMNS", "HISTORY_COLUMNS", "JSON_FIELDS",
    "LAGESBILD_YEARS", "LIST_COLUMNS", "MAX_TITLE", "PLAN_YEARS", "PRIORITIES_YEARS",
    "add_actor", "add_measure", "add_note", "add_years", "before_after", "contains_identity_number",
    "find_zone", "ids_from_text", "get_measure", "history", "is_overdue", "link_points", "list_actors",
    "list_measures", "measure_points", "measures_frame", "personal_data_warnings", "reason_text", "records",
    "resolve_priority_area", "resolve_status", "revision_flags", "select_measures", "status_label", "sv_key",
    "update_measure", "validate",
]
