"""``POST /members``: enrol a member from a web shop or POS, before they ever open Telegram.

Find or create by ``external_id`` (the shop's own customer id), else by phone
(``models.members.enrolment.enrol``). The answer carries the member's code, so purchases can be
recorded for them at once, and a one-time join link ``https://t.me/<bot>?start=j-<token>``
that makes whoever opens it this member in Telegram (``handlers.enrolment``). Keyed
like every write (``Idempotency-Key`` required); a refusal writes nothing.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import aiohttp
from aiohttp import web

from api import validation as v
from api.auth import api_key
from api.context import plain, refusal, respond, settings
from api.errors import ApiError
from api.idempotency import Answer, run_once
from bot.settings import Settings
from models.members import enrolment, membership, phones
from models.store import clock

log = logging.getLogger(__name__)
FIELDS = {"external_id", "phone", "name", "language", "birthday"}
LANGUAGES = ("en", "zh-Hans")
_usernames: dict[str, str] = {}


def _parse(body: dict[str, Any], default_country: str) -> dict[str, Any]:
    v.only(body, FIELDS)
    external_id = v.text(body, "external_id")
    phone_text = v.text(body, "phone", max_length=phones.MAX_LENGTH)
    if external_id is None and phone_text is None:
        raise v.invalid("external_id", "one-of:external_id,phone")
    phone = phones.normalize(phone_text, default_country) if phone_text else None
    if phone_text and phone is None:
        raise v.invalid("phone", "not-a-phone-number")
    language = v.text(body, "language", max_length=8)
    if language is not None and language not in LANGUAGES:
        raise v.invalid("language", "one-of:en,zh-Hans")
    birthday_text = v.text(body, "birthday", max_length=10)
    birthday = None
    if birthday_text is not None:
        parsed = membership.parse_birthday(birthday_text, clock.now().date())
        if len(birthday_text) != 10 or not isinstance(parsed, date):
            raise v.invalid("birthday", "past-date-YYYY-MM-DD")
        birthday = parsed
    return {
        "external_id": external_id,
        "phone": phone,
        "name": v.text(body, "name", max_length=128),
        "language": language,
        "birthday": birthday,
    }


async def bot_username(config: Settings) -> str | None:
    """``bot.username``, else asked once from Telegram (getMe); None without a token."""
    if config.bot.username:
        return config.bot.username
    token = config.bot.token.get_secret_value()
    if not token:
        return None
    if token not in _usernames:
        url = f"{config.bot.api_url}{token}/getMe"
        try:
            async with aiohttp.ClientSession() as session, session.get(url) as response:
                _usernames[token] = (await response.json())["result"]["username"]
        except (aiohttp.ClientError, KeyError, ValueError):
            log.warning("getMe failed: join links are answered without the t.me address")
            return None
    return _usernames[token]


def _body(result: enrolment.Enrolled, username: str | None) -> dict[str, Any]:
    member, token = result.member, result.join_token
    link = f"https://t.me/{username}?start={enrolment.JOIN_PREFIX}-{token}" if token else None
    return plain(
        {
            "code": member.code,
            "external_id": member.external_id,
            "name": member.display_name,
            "phone": member.phone,
            "created": result.created,
            "telegram_linked": member.telegram_id is not None,
            "join_token": token,
            "join_link": link if username else None,
            "balance": member.balance,
            "tier": member.tier,
        }
    )


async def post_member(request: web.Request) -> web.Response:
    """Find or create a member (201 created, 200 found; a retry replays)."""
    config = settings(request)
    body = await v.read_json(request, config.api.max_body_bytes)
    parsed = _parse(body, config.members.default_country)
    key = v.idempotency_key(request)
    prefix = api_key(request).prefix
    username = await bot_username(config)

    async def work() -> Answer:
        result = await enrolment.enrol(**parsed, created_by=f"api:{prefix}")
        if isinstance(result, enrolment.PhoneTaken):
            return refusal(ApiError(409, "phone_taken", member_code=result.member_code))
        if isinstance(result, enrolment.MemberDeleted):
            return refusal(ApiError(409, "member_deleted"))
        details = {"api_key": prefix, "created": result.created}
        return Answer(
            201 if result.created else 200,
            _body(result, username),
            audit=("member.enrol.api", f"member:{result.member.id}", details),
        )

    answer = await run_once(
        f"api:{prefix}:member:{key}", "member", parsed, work, idempotent_work=True
    )
    return respond(answer)


ROUTES = [web.post("/members", post_member)]
