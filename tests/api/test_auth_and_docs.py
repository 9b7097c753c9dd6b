"""Keys (missing, wrong, revoked, rate-limited), the CLI, reports and the OpenAPI document."""

from __future__ import annotations

import json

from aiohttp import web

from api.app import build_api
from api.openapi import document
from bot import cli
from models.access import api_keys
from models.store.tables import ApiKey, AuditLog
from tests.api.conftest import Api, api_settings, new_member, purchase, start_api, written


async def test_missing_wrong_and_revoked_keys(api: Api) -> None:
    alice = await new_member(301)
    before = await written()
    prefix = api.key.split("_")[1]
    wrong = api.key[:-4] + ("AAAA" if not api.key.endswith("AAAA") else "BBBB")
    for key in ("", "nonsense", wrong, f"jf_{prefix}_short", "jf_00000000_" + "A" * 43):
        status, body, headers = await api.call("POST", "/purchases", json=purchase(alice), key=key)
        assert status == 401, key
        assert body["error"]["code"] in ("unauthorized", "invalid_key")
        assert headers["WWW-Authenticate"] == "Bearer"
    status, body, _ = await api.call("GET", "/members/x", headers={"Authorization": "Basic x"})
    assert status == 401
    assert await written() == before

    assert (await api.call("GET", f"/members/{alice.code}"))[0] == 200
    assert (await ApiKey.get(prefix=prefix)).last_used_at is not None
    assert isinstance(await api_keys.revoke(prefix), api_keys.KeyRevoked)
    assert isinstance(await api_keys.revoke(prefix), api_keys.AlreadyRevoked)
    assert isinstance(await api_keys.revoke("ffffffff"), api_keys.UnknownKey)
    status, body, _ = await api.call("GET", f"/members/{alice.code}")
    assert status == 401 and body["error"]["code"] == "invalid_key"
    assert await AuditLog.filter(action="api_key.revoke").count() == 1


async def test_rate_limit_answers_429_with_retry_after(api: Api) -> None:
    client = await start_api(api_settings(rate_per_second=0.5, rate_burst=3))
    try:
        statuses = []
        for _ in range(5):
            async with client.get(
                "/api/v1/members/ZZZZ2222", headers={"Authorization": f"Bearer {api.key}"}
            ) as response:
                statuses.append(response.status)
                retry = response.headers.get("Retry-After")
                body = await response.json()
        assert statuses == [404, 404, 404, 429, 429]
        assert retry == "2" and body["error"]["code"] == "rate_limited"
    finally:
        await client.close()


async def test_localized_messages_and_unknown_routes(api: Api) -> None:
    status, body, _ = await api.call("GET", "/members/nobody", headers={"Accept-Language": "zh-CN"})
    assert status == 404 and body["error"]["message"].startswith("没有")
    status, body, _ = await api.call("GET", "/nothing/here")
    assert status == 404 and body["error"]["code"] == "not_found"
    status, body, headers = await api.call("DELETE", "/purchases")
    assert status == 405 and body["error"]["code"] == "method_not_allowed"
    assert "POST" in headers["Allow"]


async def test_cli_create_list_revoke(api: Api, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async def same_store(settings, work):  # type: ignore[no-untyped-def]
        return await work()

    monkeypatch.setattr(cli, "_with_store", same_store)
    monkeypatch.setattr(cli.asyncio, "run", lambda coro: _run(coro))
    created = await _cli(["apikey", "create", "Web shop", "--location", "online"])
    assert created.code == 0
    key = created.out.strip().splitlines()[-1]
    assert key.startswith("jf_") and (await api_keys.verify(key)) is not None
    listed = await _cli(["apikey", "list"])
    assert "Web shop" in listed.out and "online" in listed.out and key not in listed.out
    prefix = key.split("_")[1]
    assert (await _cli(["apikey", "revoke", prefix])).code == 0
    assert (await _cli(["apikey", "revoke", prefix])).code == 1
    assert await api_keys.verify(key) is None


class _Ran:
    def __init__(self, code: int, out: str) -> None:
        self.code, self.out = code, out


_pending: list = []


def _run(coro):  # type: ignore[no-untyped-def]
    _pending.append(coro)
    return 0


async def _cli(argv: list[str]) -> _Ran:
    """Run ``jifen <argv>`` in this event loop (``asyncio.run`` is deferred to us)."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        args = cli.build_parser().parse_args(argv)
        args.func(api_settings(), args)
        code = await _pending.pop()
    return _Ran(code, out.getvalue())


async def test_summary_report(api: Api) -> None:
    alice = await new_member(302)
    await api.call("POST", "/purchases", json=purchase(alice, 10000), idem="s1")
    status, body, _ = await api.call("GET", "/reports/summary?period=7d")
    assert status == 200, body
    assert body["currency"] == "CNY" and body["purchases"]["current"] == 1
    assert body["sales_minor"]["current"] == 10000 and body["points_issued"]["current"] == 100
    assert body["period"]["days"] == 7
    status, body, _ = await api.call("GET", "/reports/summary?period=forever")
    assert status == 422 and body["error"]["code"] == "invalid_period"


def _served_routes() -> set[tuple[str, str]]:
    app = build_api(api_settings())
    served = set()
    for route in app.router.routes():
        if route.method in ("HEAD", "OPTIONS"):
            continue
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        served.add((route.method.lower(), path))
    return served


async def test_openapi_lists_every_served_route(api: Api) -> None:
    status, body, _ = await api.call("GET", "/openapi.json", key="")
    assert status == 200 and body == json.loads(json.dumps(document()))
    assert body["openapi"].startswith("3.1")
    documented = {(method, path) for path, ops in body["paths"].items() for method in ops}
    assert documented == _served_routes()
    for ops in body["paths"].values():
        for op in ops.values():
            for response in op["responses"].values():
                ref = response.get("content", {}).get("application/json", {}).get("schema", {})
                if "$ref" in ref:
                    assert ref["$ref"].split("/")[-1] in body["components"]["schemas"]
    assert (await api.call("GET", "/healthz", key=""))[0] == 200
    assert isinstance(build_api(api_settings()), web.Application)
