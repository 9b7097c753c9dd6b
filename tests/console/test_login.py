"""Getting in: a login link works once, for ten minutes, and only for admins and
marketers; sessions end when idle, on ``/console logout`` and when the role goes."""

from __future__ import annotations

from datetime import timedelta

from api.console import PREFIX
from models.access import console as sessions
from models.access import staff
from models.store import clock
from models.store.tables import AuditLog, ConsoleSession, Role
from tests.console.conftest import (
    ADMIN,
    CASHIER,
    MARKETER,
    REVOKED,
    Caller,
    Console,
    console_settings,
    session_of,
    start_console,
)

SESSION = f"{PREFIX}/api/session"


async def test_a_link_opens_a_session_once(console: Console) -> None:
    token = await sessions.create_link(MARKETER)
    status, cookie, headers = await console.open_link(token)
    assert status == 200 and cookie
    set_cookie = headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
    assert f"Path={PREFIX}" in set_cookie and "Secure" not in set_cookie  # http here
    assert "Content-Security-Policy" in headers
    status, body, _ = await console.call("GET", SESSION, as_=Caller("m", cookie=cookie))
    assert status == 200
    assert body["role"] == "marketer" and body["language"] == "en" and len(body["csrf_token"]) == 64
    again, cookie2, _ = await console.open_link(token)
    assert (again, cookie2) == (403, None)
    assert await ConsoleSession.all().count() == 1
    assert await AuditLog.filter(action="console.login", actor_kind="console").count() == 1


async def test_an_expired_link_opens_nothing(console: Console) -> None:
    token = await sessions.create_link(ADMIN)
    clock.freeze(clock.now() + timedelta(minutes=10, seconds=1))
    status, cookie, _ = await console.open_link(token)
    assert (status, cookie) == (403, None)
    assert await ConsoleSession.all().count() == 0


async def test_a_link_opened_after_the_revoke_opens_nothing(console: Console) -> None:
    token = await sessions.create_link(REVOKED)
    await staff.revoke_role(REVOKED, revoked_by=ADMIN)
    status, cookie, _ = await console.open_link(token)
    assert (status, cookie) == (403, None)


async def test_a_cashiers_link_opens_nothing(console: Console) -> None:
    status, cookie, _ = await console.open_link(await sessions.create_link(CASHIER))
    assert (status, cookie) == (403, None)


async def test_a_bogus_token_is_403(console: Console) -> None:
    for token in ("", "nope", "x" * 500):
        status, cookie, _ = await console.open_link(token)
        assert (status, cookie) == (403, None)


async def test_secure_cookie_over_https(store: str) -> None:
    client = await start_console(console_settings(bot={"public_url": "https://shop.example"}))
    try:
        token = await sessions.create_link(ADMIN)
        async with client.get(f"{PREFIX}/login?token={token}") as response:
            assert response.status == 200
            assert "Secure" in response.headers["Set-Cookie"]
    finally:
        await client.close()


async def test_an_idle_session_ends(console: Console) -> None:
    admin = await console.log_in(ADMIN)
    clock.freeze(clock.now() + timedelta(minutes=59))
    assert (await console.call("GET", SESSION, as_=admin))[0] == 200  # used: idle restarts
    clock.freeze(clock.now() + timedelta(minutes=59))
    assert (await console.call("GET", SESSION, as_=admin))[0] == 200
    clock.freeze(clock.now() + timedelta(minutes=61))
    assert (await console.call("GET", SESSION, as_=admin))[0] == 403
    assert await ConsoleSession.all().count() == 0


async def test_logout_everywhere_and_revoke_end_every_session(console: Console) -> None:
    first, second = await console.log_in(ADMIN), await console.log_in(ADMIN)
    marketer = await console.log_in(MARKETER)
    assert await sessions.log_out_everywhere(ADMIN) == 2
    for caller in (first, second):
        assert (await console.call("GET", SESSION, as_=caller))[0] == 403
    assert (await console.call("GET", SESSION, as_=marketer))[0] == 200
    await staff.grant_role(MARKETER, Role.STAFF, granted_by=ADMIN)  # a changed role, too
    assert (await console.call("GET", SESSION, as_=marketer))[0] == 403
    assert await ConsoleSession.filter(telegram_id=MARKETER).count() == 0


async def test_the_console_logout_ends_this_session(console: Console) -> None:
    one, other = await console.log_in(ADMIN), await console.log_in(ADMIN)
    status, _, headers = await console.call("DELETE", SESSION, as_=one)
    assert status == 200 and f"{'jifen_console'}=" in headers["Set-Cookie"]
    assert (await console.call("GET", SESSION, as_=one))[0] == 403
    assert (await console.call("GET", SESSION, as_=other))[0] == 200


async def test_inside_telegram_initdata_is_traded_for_a_session(console: Console) -> None:
    status, body, headers = await console.call(
        "POST", SESSION, as_=Caller("t", telegram_id=MARKETER)
    )
    assert status == 201 and body["role"] == "marketer"
    assert "SameSite=Strict" in headers["Set-Cookie"]
    status, body, _ = await console.call(
        "GET", f"{PREFIX}/api/members", as_=Caller("t", telegram_id=ADMIN)
    )
    assert status == 200 and body == {"items": [], "next": None}
    assert (await console.call("POST", SESSION, as_=Caller("c", telegram_id=CASHIER)))[0] == 403


async def test_a_session_row_of_someone_without_a_role_is_refused(console: Console) -> None:
    cashier = await session_of(CASHIER)
    assert (await console.call("GET", SESSION, as_=cashier))[0] == 403


async def test_console_without_the_slash_goes_to_the_console(console: Console) -> None:
    status, _, headers = await console.call("GET", PREFIX)
    assert (status, headers["Location"]) == (302, f"{PREFIX}/")
