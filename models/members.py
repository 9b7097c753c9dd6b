"""Members: joining, finding, and the profile facts the chat face shows."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models import clock, tokens
from models.tables import Member


async def ensure_member(
    telegram_id: int,
    *,
    first_name: str = "",
    last_name: str | None = None,
    username: str | None = None,
    language: str = "en",
) -> tuple[Member, bool]:
    """The member for a Telegram user, created on first contact; ``(member, created)``.

    Safe under races: two first updates at once create one row (the unique telegram_id
    makes the loser re-read the winner's row).
    """
    member = await Member.get_or_none(telegram_id=telegram_id)
    if member is not None:
        return member, False
    try:
        member = await Member.create(
            telegram_id=telegram_id,
            code=tokens.human_code(groups=2, size=4).replace("-", ""),
            first_name=first_name[:128],
            last_name=(last_name or "")[:128],
            username=username,
            language=language,
            card_token=tokens.token(),
            referral_code=tokens.human_code(groups=2, size=4).replace("-", ""),
            created_at=clock.now(),
            last_seen_at=clock.now(),
        )
    except IntegrityError:
        return await Member.get(telegram_id=telegram_id), False
    return member, True


async def find_by_card(card_token: str) -> Member | None:
    return await Member.get_or_none(card_token=card_token, deleted_at=None)


async def find_by_code_or_phone(text: str) -> Member | None:
    """Look a member up by member code (``K7QM4PXD``) or phone number, as staff type them."""
    cleaned = text.strip()
    code = tokens.normalize_human_code(cleaned).replace("-", "")
    member = await Member.get_or_none(code=code, deleted_at=None)
    if member is None:
        digits = "".join(ch for ch in cleaned if ch.isdigit() or ch == "+")
        if len(digits) >= 5:
            member = await Member.filter(
                phone__endswith=digits.lstrip("+"), deleted_at=None
            ).first()
    return member
