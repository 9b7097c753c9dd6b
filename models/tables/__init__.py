"""The store's tables (Tortoise models), one module per concern.

Operations that keep them consistent live beside this package in ``models/``; nothing
here knows about Telegram or HTTP. Money is integer minor units; points are integers.
"""

from models.tables.audit import AuditLog, IdempotencyRecord, JobRun, SchedulerLease
from models.tables.catalogue import Coupon, CouponBatch, Reward, Voucher, VoucherStatus
from models.tables.enrolment import JoinLink
from models.tables.flows import ActionState, ChatFlow, PendingAction
from models.tables.ledger import (
    EntryKind,
    LedgerEntry,
    LotDraw,
    PointLot,
    Purchase,
    Refund,
    RuleVersion,
)
from models.tables.marketing import (
    Broadcast,
    BroadcastStatus,
    Campaign,
    CampaignKind,
    CampaignStatus,
)
from models.tables.members import (
    ApiKey,
    Member,
    Role,
    StaffInvite,
    StaffRole,
    TierChange,
)
from models.tables.outbox import OutboxMessage, OutboxStatus
from models.tables.webhooks import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "ActionState",
    "ApiKey",
    "AuditLog",
    "Broadcast",
    "BroadcastStatus",
    "Campaign",
    "CampaignKind",
    "CampaignStatus",
    "ChatFlow",
    "Coupon",
    "CouponBatch",
    "DeliveryStatus",
    "EntryKind",
    "IdempotencyRecord",
    "JobRun",
    "JoinLink",
    "LedgerEntry",
    "LotDraw",
    "Member",
    "OutboxMessage",
    "OutboxStatus",
    "PendingAction",
    "PointLot",
    "Purchase",
    "Refund",
    "Reward",
    "Role",
    "RuleVersion",
    "SchedulerLease",
    "StaffInvite",
    "StaffRole",
    "TierChange",
    "Voucher",
    "VoucherStatus",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
