"""Roles and what each may do. Enforced in the functions that return data (store queries,
exports), not only by hiding buttons; cached data is keyed by :attr:`Principal.cache_key`.

| role | may |
|---|---|
| ``lasare`` | browse aggregated layers: zones, sites, counts, cells; observation points; no export |
| ``vandrare`` | + walks and observations (create; sees and corrects its own team's) |
| ``samordnare`` | + measures, imports, exports (published aggregates; no sensitive points) |
| ``polis`` | + incident points, sensitive categories included |
| ``admin`` | everything: users, zones, categories, retention, audit log |
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mapapp.errors import PermissionDeniedError
from mapapp.i18n import t


class Role(StrEnum):
    LASARE = "lasare"
    VANDRARE = "vandrare"
    SAMORDNARE = "samordnare"
    POLIS = "polis"
    ADMIN = "admin"


class Perm(StrEnum):
    VIEW_AGGREGATES = "view_aggregates"
    VIEW_INCIDENT_POINTS = "view_incident_points"  # non-sensitive incident points
    VIEW_SENSITIVE_POINTS = "view_sensitive_points"
    WALK = "walk"  # create walks and observations
    EDIT_MEASURES = "edit_measures"
    IMPORT = "import"
    EXPORT = "export"
    ADMIN = "admin"
    VIEW_AUDIT = "view_audit"


_GRANTS: dict[Role, frozenset[Perm]] = {
    Role.LASARE: frozenset({Perm.VIEW_AGGREGATES, Perm.VIEW_INCIDENT_POINTS}),
    Role.VANDRARE: frozenset({Perm.VIEW_AGGREGATES, Perm.VIEW_INCIDENT_POINTS, Perm.WALK}),
    Role.SAMORDNARE: frozenset(
        {Perm.VIEW_AGGREGATES, Perm.VIEW_INCIDENT_POINTS, Perm.WALK, Perm.EDIT_MEASURES,
         Perm.IMPORT, Perm.EXPORT}
    ),
    Role.POLIS: frozenset(
        {Perm.VIEW_AGGREGATES, Perm.VIEW_INCIDENT_POINTS, Perm.VIEW_SENSITIVE_POINTS, Perm.WALK,
         Perm.EDIT_MEASURES, Perm.IMPORT, Perm.EXPORT}
    ),
    Role.ADMIN: frozenset(Perm),
}


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user name, a role and (for walk teams) a team."""

    username: str
    role: Role
    team: str | None = None

    def can(self, perm: Perm) -> bool:
        return perm in _GRANTS[self.role]

    def require(self, perm: Perm, lang: str = "sv") -> None:
        if not self.can(perm):
            raise PermissionDeniedError(
                t("perm.denied", lang, role=t(f"role.{self.role}", lang), action=perm.value)
            )

    @property
    def cache_key(self) -> str:
        """What cached data depends on: the role (and team for walk teams)."""
        return f"{self.role}:{self.team or ''}"


# The command line runs as the operator of the machine: an admin acting through the CLI,
# recorded as such in the audit log.
CLI_PRINCIPAL = Principal(username="cli", role=Role.ADMIN)
