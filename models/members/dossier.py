"""Everything the console shows about one member, read in one place (``/console/members/X``).

Balance and tier progress come from :func:`membership.balance_view` (the /balance code),
the explained journal from :mod:`models.ledger.history` (the /history code): the console
and the chat cannot disagree about a member. Lists are the newest :data:`RECENT` rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.ledger import history
from models.ledger.config import RuleSet
from models.members import membership
from models.store.tables import AuditLog, Member, PointLot, Purchase, Voucher

RECENT = 20
MAX_CODE = 16
"""``member.code``'s column width."""
HISTORY_PAGE = 20


@dataclass(frozen=True)
class Dossier:
    member: Member
    view: membership.BalanceView
    lots: tuple[PointLot, ...]
    history: history.HistoryPage
    purchases: tuple[Purchase, ...]
    vouchers: tuple[Voucher, ...]
    audit: tuple[AuditLog, ...]


async def by_code(code: str) -> Member | None:
    """A live member by their code (as the console's addresses spell it); anything not
    shaped like a code (longer than the column, not letters and digits) finds nobody."""
    code = code.strip().upper()
    if not code.isascii() or not code.isalnum() or len(code) > MAX_CODE:
        return None
    return await Member.get_or_none(code=code, deleted_at=None)


async def dossier(member: Member, rules: RuleSet, history_page: int = 0) -> Dossier:
    """The member's balance view, open lots, a page of history and recent activity."""
    lots = await PointLot.filter(member_id=member.id, remaining__gt=0).order_by("id")
    lots.sort(key=lambda lot: (lot.expires_at is None, lot.expires_at or lot.created_at))
    purchases = (
        await Purchase.filter(member_id=member.id).order_by("-created_at", "-id").limit(RECENT)
    )
    vouchers = (
        await Voucher.filter(member_id=member.id)
        .order_by("-issued_at", "-id")
        .limit(RECENT)
        .prefetch_related("reward")
    )
    trail = (
        await AuditLog.filter(target=f"member:{member.id}")
        .order_by("-created_at", "-id")
        .limit(RECENT)
    )
    return Dossier(
        member=member,
        view=await membership.balance_view(member, rules),
        lots=tuple(lots),
        history=await history.page(member.id, history_page, HISTORY_PAGE),
        purchases=tuple(purchases),
        vouchers=tuple(vouchers),
        audit=tuple(trail),
    )
