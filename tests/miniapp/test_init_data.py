"""initData validation as Telegram documents it: unit, then over HTTP (every failure 401)."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlencode

import pytest

from api.errors import ApiError
from api.miniapp.auth import validate
from tests.miniapp.conftest import TOKEN, Mini, telegram_sign, user_fields

DAY = 86400


def _tamper(init_data: str, key: str, value: str) -> str:
    pairs = dict(parse_qsl(init_data))
    pairs[key] = value
    return urlencode(pairs)


def _code(init_data: str, token: str = TOKEN, max_age: int = DAY) -> str:
    with pytest.raises(ApiError) as caught:
        validate(init_data, token, max_age)
    assert caught.value.status == 401
    return caught.value.code


def test_valid_init_data_names_its_user() -> None:
    assert validate(telegram_sign(user_fields(4242)), TOKEN, DAY) == 4242


def test_every_forgery_is_refused() -> None:
    good = telegram_sign(user_fields(4242))
    other_user = user_fields(1)["user"]
    assert _code(_tamper(good, "user", other_user)) == "init_data_invalid"  # field changed
    assert _code(_tamper(good, "hash", "0" * 64)) == "init_data_invalid"  # hash changed
    assert _code(_tamper(good, "auth_date", str(int(time.time()) - 1))) == "init_data_invalid"
    assert _code(good, token="654321:another-bot") == "init_data_invalid"  # another bot's
    assert _code(telegram_sign(user_fields(4242), "654321:another-bot")) == "init_data_invalid"
    stale = telegram_sign(user_fields(4242), auth_date=int(time.time()) - DAY - 60)
    assert _code(stale) == "init_data_expired"
    assert validate(stale, TOKEN, 2 * DAY) == 4242  # the limit is the setting's
    assert _code("") == "init_data_missing"
    assert _code("user=%7B%7D&hash=abc") == "init_data_invalid"  # no auth_date
    assert _code("not a query string at all") == "init_data_invalid"
    no_user = telegram_sign({"query_id": "x"})
    assert _code(no_user) == "init_data_invalid"  # signed, but for nobody


async def test_over_http_each_failure_is_401_json(mini: Mini) -> None:
    good = telegram_sign(user_fields(4242))
    stale = telegram_sign(user_fields(4242), auth_date=int(time.time()) - DAY - 60)
    cases = {
        "init_data_missing": "",
        "init_data_invalid": _tamper(good, "user", user_fields(1)["user"]),
        "init_data_expired": stale,
    }
    for code, init_data in cases.items():
        status, body = await mini.call("GET", "/me", init_data=init_data)
        assert status == 401 and body["error"]["code"] == code, body
        assert body["error"]["message"]
    status, body = await mini.call(
        "GET", "/me", init_data=telegram_sign(user_fields(4242), "654321:another-bot")
    )
    assert status == 401 and body["error"]["code"] == "init_data_invalid"
    async with mini.client.get("/app/api/me", headers={"Authorization": f"Bearer {good}"}) as r:
        assert r.status == 401  # another scheme is no initData
    status, body = await mini.call("GET", "/me", user=4242)  # valid, but not a member
    assert status == 404 and body["error"]["code"] == "not_a_member"


async def test_rate_limit_per_user(store: str) -> None:
    from tests.miniapp.conftest import mini_settings, start

    client = await start(mini_settings(rate_per_second=0.01, rate_burst=2))
    try:
        mini = Mini(client, mini_settings())
        statuses = [(await mini.call("GET", "/session", user=7))[0] for _ in range(3)]
        assert statuses == [200, 200, 429]
        assert (await mini.call("GET", "/session", user=8))[0] == 200  # others unaffected
    finally:
        await client.close()


def test_a_session_ages_out_even_after_it_was_accepted() -> None:
    from datetime import timedelta

    from models.store import clock

    good = telegram_sign(user_fields(4243))
    assert validate(good, TOKEN, DAY) == 4243  # accepted (and remembered)
    clock.freeze(clock.now() + timedelta(seconds=DAY + 5))
    assert _code(good) == "init_data_expired"
