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
from mapapp.i18n import Message


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

    def require(self, perm: Perm) -> None:
        """Raise :class:`PermissionDeniedError` (key ``perm.denied``, rendered at the edge)
        unless the role has ``perm``."""
        if not self.can(perm):
            raise PermissionDeniedError("perm.denied", role=Message(f"role.{self.role}"),
                                        action=perm.value)

    @property
    def cache_key(self) -> str:
        """What cached data depends on: the role (and team for walk teams)."""
        return f"{self.role}:{self.team or ''}"


# The command line runs as the operator of the machine: an admin acting through the CLI,
# recorded as such in the audit log.
CLI_PRINCIPAL = Principal(username="cli", role=Role.ADMIN)


#: From least to most: with several mapped groups, a user gets the most privileged role.
ROLE_RANK: tuple[Role, ...] = (Role.LASARE, Role.VANDRARE, Role.SAMORDNARE, Role.POLIS,
                               Role.ADMIN)


@dataclass(frozen=True)
class GroupRole:
    """What membership of one identity-provider group gives: a role (and a walk team)."""

    role: Role
    team: str | None = None


def group_roles(text: str) -> dict[str, GroupRole]:
    """Parse ``MAPAPP_OIDC_ROLES``: ``group=role`` pairs separated by commas (or new lines);
    ``group=vandrare:lag-1`` gives walk teams their team. Group names are the identity
    provider's (Entra ID sends object ids). An empty text maps nothing (the user table decides
    the role). Errors raise :class:`~mapapp.errors.ConfigurationError` in both languages.

    >>> group_roles("mapapp-polis=polis, 0b1c…=vandrare:lag-1")["0b1c…"]
    GroupRole(role=<Role.VANDRARE: 'vandrare'>, team='lag-1')
    >>> group_roles("")
    {}
    """
    from mapapp.errors import ConfigurationError

    out: dict[str, GroupRole] = {}
    problems = []
    for raw in text.replace("\n", ",").split(","):
        item = raw.strip()
        if not item:
            continue
        group, sep, value = (p.strip() for p in item.rpartition("="))
        role_name, _, team = (p.strip() for p in value.partition(":"))
        if not sep or not group or role_name not in {r.value for r in Role}:
            problems.append(item)
            continue
        out[group] = GroupRole(Role(role_name), team or None)
    if problems:
        raise ConfigurationError(
            "MAPAPP_OIDC_ROLES: skriv grupp=roll (roller: " + ", ".join(r.value for r in Role)
            + "), åtskilda med komma / write group=role separated by commas: "
            + "; ".join(problems))
    return out


def role_for_groups(groups: object, mapping: dict[str, GroupRole]) -> GroupRole | None:
    """The most privileged :class:`GroupRole` among ``groups`` (a list of names, or one name,
    as the claim comes), None when no group is mapped."""
    if isinstance(groups, str):
        names = [groups]
    elif isinstance(groups, list | tuple | set):
        names = [str(g) for g in groups]
    else:
        names = []
    hits = [mapping[g] for g in names if g in mapping]
    if not hits:
        return None
    return max(hits, key=lambda gr: ROLE_RANK.index(gr.role))
