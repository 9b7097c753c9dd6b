"""The people of the sandbox: two members, a cashier, an admin and a marketer.

Their roles are real (``StaffRole`` rows, or ``access.admins`` for the admin), so each sees
exactly what a person with that role sees in Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.emulator.web import PagePerson
from models.access import staff
from models.store.tables import Role


@dataclass(frozen=True)
class Persona:
    person: PagePerson
    role: Role | None
    location: str | None = None

    @property
    def user_id(self) -> int:
        return self.person.user_id


def _persona(
    user_id: int,
    first: str,
    last: str | None,
    language: str,
    phone: str,
    label: str,
    color: str,
    role: Role | None,
    location: str | None = None,
) -> Persona:
    person = PagePerson(user_id, first, last, language, phone, label, color)
    return Persona(person, role, location)


PERSONAS: tuple[Persona, ...] = (
    _persona(1001, "Li Wei", None, "zh-hans", "+8613800138001", "member", "#e17076", None),
    _persona(1002, "Alice", "Smith", "en", "+447700900123", "member", "#7bc862", None),
    _persona(
        2001,
        "Chen Jing",
        None,
        "en",
        "+8613900139002",
        "cashier",
        "#65aadd",
        Role.STAFF,
        "Downtown",
    ),
    _persona(3001, "Ada", "Admin", "en", "+8613700137003", "admin", "#a695e7", Role.ADMIN),
    _persona(4001, "Mei", "Lin", "zh-hans", "+8613600136004", "marketer", "#ee7aae", Role.MARKETER),
)


def admin_ids() -> list[int]:
    return [p.user_id for p in PERSONAS if p.role is Role.ADMIN]


async def grant_roles() -> None:
    """Give the cashier and the marketer their roles (idempotent); admins come from config."""
    for persona in PERSONAS:
        if persona.role in (Role.STAFF, Role.MARKETER):
            await staff.grant_role(
                persona.user_id,
                persona.role,
                granted_by=None,
                location=persona.location,
                actor_kind="sandbox",
            )
