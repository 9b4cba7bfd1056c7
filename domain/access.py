"""Who may do what (DESIGN.md, "Who uses it"). The Application is the one place that asks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import NAMESPACE_URL, uuid5

from domain.errors import PermissionDenied
from domain.model.statuses import STAFF_ROLES, Role

STAFF = STAFF_ROLES
SYSTEM_USER_ID = str(uuid5(NAMESPACE_URL, "https://twinning.example/users/system"))


@dataclass(frozen=True)
class Principal:
    """The acting user, as authenticated: every event records its ``user_id`` as ``actor``."""

    user_id: str
    role: Role
    city_id: str | None = None
    name: str = ""

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF or self.role == Role.SYSTEM


SYSTEM = Principal(user_id=SYSTEM_USER_ID, role=Role.SYSTEM, name="twinning (automatic)")


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles and principal.role != Role.SYSTEM:
        raise PermissionDenied(f"this needs the role {' or '.join(roles)}; you are {principal.role}")


def require_staff(principal: Principal) -> None:
    require_role(principal, *STAFF)


def require_officer_of_any(principal: Principal, city_ids: Iterable[str], what: str) -> None:
    """Staff act for any city; an officer only for a city in ``city_ids``."""
    if principal.is_staff:
        return
    if principal.role == Role.OFFICER and principal.city_id in set(city_ids):
        return
    raise PermissionDenied(f"only an officer of {what}, a facilitator or an admin can do this")
