"""People: who has a role (by name), inviting someone with a QR, revoking (admins only).

An invite is the chat's own (:mod:`models.members.invites`: a one-time ``s-<token>``
deep link that grants the role to whoever opens it first, before it expires); the page
shows every open invite as a QR code drawn here (an SVG, no outside service) with its
t.me link. Revoking is :func:`models.access.staff.revoke_role`, the chat's: the role goes
and every console session of that person ends in the same transaction, so their open
page is refused at its next request. Configured admins (``access.admins``) cannot be
revoked here, nor the last admin. All of it is audited with actor kind ``console``.
"""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from api import validation as v
from api.console.common import (
    ACTOR_KIND,
    ERROR,
    IDEMPOTENCY,
    Route,
    Section,
    Visitor,
    bot_username,
    created_responses,
    json_doc,
    page,
    settings,
)
from api.console.keyed import key_of, once
from api.context import plain, refusal
from api.errors import ApiError
from api.idempotency import Answer
from api.miniapp.common import qr_data_uri
from api.openapi import PRINTABLE_PATTERN, SAFE_MAX
from models.access import staff
from models.members import invites
from models.store.tables import Role, StaffInvite

MAX_BODY = 16 * 1024
"""Room for the longest valid body written as JSON escapes (schemathesis sends such)."""
MAX_LOCATION = 64
INVITE_ROLES = (Role.STAFF, Role.MARKETER, Role.ADMIN)


def staff_role_key(role: Role) -> str:
    return f"console-people-role-{role.value}"


LOCALE_KEYS = tuple(staff_role_key(role) for role in Role)
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""


def invite_link(request: web.Request, token: str) -> str:
    username = bot_username(request)
    return f"https://t.me/{username}?start=s-{token}"


async def staff_json(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    configured = settings(request).access.admins
    grants = await staff.list_staff(configured)
    names = await staff.names_of(g.telegram_id for g in grants)
    return {
        "staff": [
            {
                "telegram_id": g.telegram_id,
                "name": names.get(g.telegram_id, str(g.telegram_id)),
                "role": g.role.value,
                "role_label": visitor.t(staff_role_key(g.role)),
                "location": g.location,
                "configured": g.telegram_id in configured,
            }
            for g in grants
        ]
    }


def invite_json(request: web.Request, visitor: Visitor, invite: StaffInvite) -> dict[str, Any]:
    link = invite_link(request, invite.token)
    return {
        "id": invite.id,
        "role": invite.role.value,
        "role_label": visitor.t(staff_role_key(invite.role)),
        "location": invite.location,
        "link": link,
        "qr": qr_data_uri(link),
        "expires_at": invite.expires_at,
    }


# ---- handlers ---------------------------------------------------------------------------


async def people_page(request: web.Request, visitor: Visitor) -> web.Response:
    v.only(request.query, set())
    found = await staff_json(request, visitor)
    pending = await invites.open_invites()
    return page(
        request,
        visitor,
        "people.html",
        staff=found["staff"],
        invites=[invite_json(request, visitor, i) for i in pending],
        roles=[(r.value, visitor.t(staff_role_key(r))) for r in INVITE_ROLES],
        idempotency_key=uuid.uuid4().hex,
    )


async def list_staff(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    v.only(request.query, set())
    return await staff_json(request, visitor)


async def create_invite(request: web.Request, visitor: Visitor) -> web.Response:
    """``{"role", "location"?}`` → 201 with the t.me link and its QR (keyed)."""
    key = key_of(request)
    body = await v.read_json(request, MAX_BODY)
    v.only(body, {"role", "location"})
    role_text = body.get("role")
    if not isinstance(role_text, str) or role_text not in {r.value for r in INVITE_ROLES}:
        raise v.invalid("role", "unknown")
    location = body.get("location")
    if location == "":
        location = None  # a blank field; false, {} or [] are not "none" but wrong
    if location is not None and (not isinstance(location, str) or len(location) > MAX_LOCATION):
        raise v.invalid("location", "length")
    location = location.strip() if location else None
    hours = settings(request).security.invite_valid_hours

    async def work() -> Answer:
        invite = await invites.create(
            Role(role_text),
            created_by=visitor.telegram_id,
            valid_hours=hours,
            location=location or None,
            actor_kind=ACTOR_KIND,
        )
        return Answer(201, plain(invite_json(request, visitor, invite)))

    return await once(key, visitor, "invite", {"role": role_text, "location": location}, work)


async def revoke(request: web.Request, visitor: Visitor) -> web.Response:
    """The role goes and the person's console sessions end at once (keyed)."""
    target = v.whole_number(
        request.match_info["telegram_id"], "telegram_id", minimum=1, maximum=SAFE_MAX
    )
    key = key_of(request)
    configured = settings(request).access.admins

    async def work() -> Answer:
        if target in configured:
            return refusal(ApiError(409, "configured_admin"))
        if await staff.is_last_admin(target, configured):
            return refusal(ApiError(409, "last_admin"))
        if not await staff.revoke_role(
            target, revoked_by=visitor.telegram_id, actor_kind=ACTOR_KIND
        ):
            return refusal(ApiError(404, "not_staff"))
        return Answer(200, {"revoked": target})

    return await once(key, visitor, "revoke", {"telegram_id": target}, work)


# ---- OpenAPI ----------------------------------------------------------------------------

PERSON = {
    "type": "object",
    "required": ["telegram_id", "name", "role"],
    "properties": {
        "telegram_id": {"type": "integer"},
        "name": {"type": "string"},
        "role": {"type": "string", "enum": [r.value for r in Role]},
        "role_label": {"type": "string"},
        "location": {"type": ["string", "null"]},
        "configured": {"type": "boolean"},
    },
}
INVITE = {
    "type": "object",
    "required": ["id", "role", "link", "qr", "expires_at"],
    "properties": {
        "id": {"type": "integer"},
        "role": {"type": "string"},
        "role_label": {"type": "string"},
        "location": {"type": ["string", "null"]},
        "link": {"type": "string"},
        "qr": {"type": "string", "description": "the link as a QR code (SVG data URI)"},
        "expires_at": {"type": "string", "format": "date-time"},
    },
}

SECTION = Section(
    key="people",
    title="console-nav-people",
    path="/people",
    role=Role.ADMIN,
    schemas={"Person": PERSON, "Invite": INVITE},
    routes=(
        Route("GET", "/people", people_page, role=Role.ADMIN),
        Route(
            "GET",
            "/api/staff",
            list_staff,
            role=Role.ADMIN,
            doc={
                "operationId": "listStaff",
                "summary": "Everyone with a role, by name (admins)",
                "responses": {
                    "200": json_doc(
                        {
                            "type": "object",
                            "properties": {
                                "staff": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Person"},
                                }
                            },
                        },
                        "the staff",
                    )
                },
            },
        ),
        Route(
            "POST",
            "/api/staff/invites",
            create_invite,
            role=Role.ADMIN,
            doc={
                "operationId": "createInvite",
                "summary": "A one-time invite link (and its QR) that grants a role (admins)",
                "parameters": [IDEMPOTENCY],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["role"],
                                "additionalProperties": False,
                                "properties": {
                                    "role": {
                                        "type": "string",
                                        "enum": [r.value for r in INVITE_ROLES],
                                    },
                                    "location": {
                                        "type": ["string", "null"],
                                        "maxLength": MAX_LOCATION,
                                        "pattern": PRINTABLE_PATTERN,
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": created_responses(
                    {"$ref": "#/components/schemas/Invite"}, "the invite"
                ),
            },
        ),
        Route(
            "POST",
            "/api/staff/{telegram_id}/revoke",
            revoke,
            role=Role.ADMIN,
            doc={
                "operationId": "revokeRole",
                "summary": "Take a role away; that person's console sessions end at once",
                "parameters": [
                    {
                        "name": "telegram_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": SAFE_MAX},
                    },
                    IDEMPOTENCY,
                ],
                "responses": {
                    "200": json_doc(
                        {"type": "object", "properties": {"revoked": {"type": "integer"}}},
                        "revoked (or a replay)",
                    ),
                    "400": ERROR,
                    "404": ERROR,
                    "409": ERROR,
                    "422": ERROR,
                },
            },
        ),
    ),
)
