"""Safety walks (trygghetsvandringar) and their observations: nothing lost, nothing twice.

A walk has a zone, a start, an organiser (a role or organisation, never a person's name),
participants counted per group, a status (planerad → genomförd → uppföljd) and a route (taken
from its observations, in the order they were made).

An observation form gets its *submission id* (a uuid4) when it opens.
:func:`~.observations.save_observation` stores it as ``source="app"``,
``external_id=<submission id>`` through :func:`mapapp.store.points.insert_points`, whose
``ON CONFLICT (source, external_id) DO NOTHING`` makes a second save with the same id -- a double
tap, a retry after a dropped connection, the same form sent from two tablets -- return the row
already stored. The function returns only after the commit, so "Sparad" can be shown on its
return. A busy database is retried a few times (the write is idempotent, so a retry cannot
duplicate); what still fails raises :class:`~mapapp.errors.StoreError` saying nothing was saved.

A walk team may correct its own observations for ``MAPAPP_EDIT_WINDOW_HOURS`` (24 h).

Modules: :mod:`.walk` (walks), :mod:`.observations`, :mod:`.followup` (sheet by place, measure
from an observation), :mod:`.drafts` (unsaved forms kept server-side). The functions below are
re-exported so callers write ``from mapapp import walks; walks.save_observation(...)``.
"""

from __future__ import annotations

from mapapp.walks._common import APP_SOURCE, PARTICIPANT_GROUPS
from mapapp.walks.drafts import (
    DRAFT_FIELDS,
    Draft,
    discard_draft,
    latest_draft_walk,
    load_draft,
    save_draft,
)
from mapapp.walks.followup import (
    SHEET_COLUMNS,
    FollowUpSheet,
    follow_up_sheet,
    observation_to_measure,
    ratings_text,
    status_label,
    suggest_actor,
)
from mapapp.walks.observations import (
    correct_observation,
    observation_photo,
    save_observation,
    set_observation_status,
)
from mapapp.walks.walk import (
    WalkInfo,
    create_walk,
    get_walk,
    list_walks,
    set_walk_status,
    walk_route,
)

__all__ = [
    "APP_SOURCE", "DRAFT_FIELDS", "PARTICIPANT_GROUPS", "SHEET_COLUMNS", "Draft",
    "FollowUpSheet", "WalkInfo", "correct_observation", "create_walk", "discard_draft",
    "follow_up_sheet", "get_walk", "latest_draft_walk", "list_walks", "load_draft",
    "observation_photo", "observation_to_measure", "ratings_text", "save_draft",
    "save_observation", "set_observation_status", "set_walk_status", "status_label",
    "suggest_actor", "walk_route",
]
