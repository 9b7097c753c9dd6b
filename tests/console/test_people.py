"""People in the console: staff by name, invites with their QR (the chat's invite
tokens), revoking that ends the person's console sessions at once; admins only, audited,
and a refused change writes nothing."""

from __future__ import annotations

from models.access import staff
from models.members import invites
from models.store.tables import AuditLog, ConsoleSession, Role, StaffInvite
from tests.console.conftest import (
    ADMIN,
    CASHIER,
    MARKETER,
    REVOKED,
    Console,
    new_member,
    written,
)

API = "/console/api/staff"


async def test_a_revoked_admin_is_refused_with_the_session_they_had(console: Console) -> None:
    await new_member(REVOKED)
    theirs = await console.log_in(REVOKED)
    assert (await console.call("GET", "/console/people", as_=theirs))[0] == 200
    admin = await console.log_in(ADMIN)
    status, body, _ = await console.call(
        "POST", f"{API}/{REVOKED}/revoke", as_=admin, json={}, idem="rv1"
    )
    assert (status, body) == (200, {"revoked": REVOKED})
    for path in ("/console/people", "/console/api/staff", "/console/"):
        status, _, _ = await console.call("GET", path, as_=theirs)
        assert status == 403, path
    assert await ConsoleSession.filter(telegram_id=REVOKED).count() == 0
    row = await AuditLog.get(action="role.revoke", target=str(REVOKED))
    assert (row.actor_kind, row.actor_telegram_id) == ("console", ADMIN)
    # a retry replays; a new press says they have no role, writing nothing
    again = await console.call("POST", f"{API}/{REVOKED}/revoke", as_=admin, json={}, idem="rv1")
    assert again[0] == 200 and again[2].get("Idempotent-Replayed") == "true"
    before = await written()
    status, body, _ = await console.call(
        "POST", f"{API}/{REVOKED}/revoke", as_=admin, json={}, idem="rv2"
    )
    assert (status, body["error"]["code"]) == (404, "not_staff")
    assert await written() == before


async def test_refused_revokes_write_nothing(console: Console) -> None:
    admin, marketer = await console.log_in(ADMIN), await console.log_in(MARKETER)
    before = await written()
    cases = [
        (marketer, CASHIER, "k1", 403, "admins_only"),
        (admin, ADMIN, "k2", 409, "configured_admin"),
        (admin, 123456, "k3", 404, "not_staff"),
    ]
    for caller, target, key, status, code in cases:
        got = await console.call("POST", f"{API}/{target}/revoke", as_=caller, json={}, idem=key)
        assert (got[0], got[1]["error"]["code"]) == (status, code), got[1]
        assert got[1]["error"]["message"]
    got = await console.call("POST", f"{API}/abc/revoke", as_=admin, json={}, idem="k4")
    assert (got[0], got[1]["error"]["code"]) == (422, "invalid_field")
    assert await written() == before
    assert (await staff.role_of(CASHIER)) is not None


async def test_staff_are_listed_by_name_and_invites_show_their_qr(console: Console) -> None:
    await new_member(MARKETER)
    admin = await console.log_in(ADMIN)
    status, found, _ = await console.call("GET", API, as_=admin)
    assert status == 200
    marketer = next(p for p in found["staff"] if p["telegram_id"] == MARKETER)
    assert (marketer["name"], marketer["role_label"]) == ("Member9100", "Marketer")
    status, made, _ = await console.call(
        "POST",
        f"{API}/invites",
        as_=admin,
        json={"role": "marketer", "location": "Front"},
        idem="inv1",
    )
    assert status == 201, made
    invite = await StaffInvite.get(id=made["id"])
    assert made["link"].endswith(f"?start=s-{invite.token}")
    assert made["qr"].startswith("data:image/svg+xml;base64,")
    audit = await AuditLog.get(action="invite.create")
    assert (audit.actor_kind, audit.actor_telegram_id) == ("console", ADMIN)
    status, html, _ = await console.call("GET", "/console/people", as_=admin)
    assert status == 200 and "Member9100" in html and made["qr"] in html
    assert f"s-{invite.token}" in html
    # the chat's accept takes it: the QR is the chat's own invite
    accepted = await invites.accept(invite.token, 777001)
    assert isinstance(accepted, invites.InviteAccepted)
    assert accepted.grant.role == Role.MARKETER and accepted.grant.location == "Front"
    status, html, _ = await console.call("GET", "/console/people", as_=admin)
    assert f"s-{invite.token}" not in html  # used: no longer offered


async def test_bad_invites_write_nothing_and_chinese_reads_chinese(console: Console) -> None:
    await new_member(ADMIN, language="zh-Hans")
    admin = await console.log_in(ADMIN)
    before = await written()
    for body in ({"role": "boss"}, {}, {"role": "staff", "location": "x" * 65}, {"role": 1}):
        status, got, _ = await console.call(
            "POST", f"{API}/invites", as_=admin, json=body, idem=f"b{len(str(body))}"
        )
        assert (status, got["error"]["code"]) == (422, "invalid_field"), body
    assert await written() == before
    status, html, _ = await console.call("GET", "/console/people", as_=admin)
    assert status == 200 and "人员" in html and "收银员" in html
