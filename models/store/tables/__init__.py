"""The store's tables (Tortoise models), one module per concern.

Operations that keep them consistent live in the other rooms of ``models/``; nothing
here knows about Telegram or HTTP. Money is integer minor units; points are integers.
"""

from models.store.tables.audit import AuditLog, IdempotencyRecord, JobRun, SchedulerLease
from models.store.tables.catalogue import Coupon, CouponBatch, Reward, Voucher, VoucherStatus
from models.store.tables.console import ConsoleLogin, ConsoleSession
from models.store.tables.enrolment import JoinLink
from models.store.tables.events import EventStatus, MemberEvent
from models.store.tables.flows import ActionState, ChatFlow, PendingAction
from models.store.tables.instances import InboxUpdate, SendPace, SharedSecret
from models.store.tables.ledger import (
    EntryKind,
    LedgerEntry,
    LotDraw,
    PointLot,
    Purchase,
    Refund,
    RuleVersion,
)
from models.store.tables.marketing import (
    Broadcast,
    BroadcastStatus,
    Campaign,
    CampaignKind,
    CampaignStatus,
)
from models.store.tables.members import (
    ApiKey,
    Member,
    Role,
    StaffInvite,
    StaffRole,
    TierChange,
)
from models.store.tables.offers import CampaignMember
from models.store.tables.outbox import OutboxMessage, OutboxStatus
from models.store.tables.reports import ReportDay, ReportWatermark
from models.store.tables.stamps import CardState, CardTypeStatus, Stamp, StampCard, StampCardType
from models.store.tables.webhooks import (
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
    "CampaignMember",
    "CampaignStatus",
    "CardState",
    "CardTypeStatus",
    "ChatFlow",
    "ConsoleLogin",
    "ConsoleSession",
    "Coupon",
    "CouponBatch",
    "DeliveryStatus",
    "EntryKind",
    "EventStatus",
    "IdempotencyRecord",
    "InboxUpdate",
    "JobRun",
    "JoinLink",
    "LedgerEntry",
    "LotDraw",
    "Member",
    "MemberEvent",
    "OutboxMessage",
    "OutboxStatus",
    "PendingAction",
    "PointLot",
    "Purchase",
    "Refund",
    "ReportDay",
    "ReportWatermark",
    "Reward",
    "Role",
    "RuleVersion",
    "SchedulerLease",
    "SendPace",
    "SharedSecret",
    "StaffInvite",
    "StaffRole",
    "Stamp",
    "StampCard",
    "StampCardType",
    "TierChange",
    "Voucher",
    "VoucherStatus",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
