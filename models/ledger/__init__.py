"""The ledger: every change of a balance, as one write transaction each.

Shape of every operation:

1. validate the request (a rejection is a value and writes nothing);
2. in one write transaction: lock the member row FIRST (``FOR NO KEY UPDATE`` on
   PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serializes writers) and whatever
   else the operation changes after it, in the one global order of :mod:`models.store.locks`
   (member → voucher → coupon → purchase → reward stock → lots → new rows); look the
   idempotency key up (a
   retry returns the FIRST result, marked ``replayed``), change ``member.balance`` by a
   conditional ``UPDATE … RETURNING`` (``balance >= cost`` for debits), append the entry,
   move points between lots and record each move as a ``LotDraw``;
3. should two calls with one key still race (different members, or a unique code
   colliding), the loser's unique-constraint error rolls it back and it answers with the
   winner's result.

Lots and negative balances. Earned points form lots (``PointLot``) that expire by the
expiry policy; debits take from lots earliest-expiry first (lots that never expire
last). Only a refund under ``refund_policy = allow_negative`` can take more than the
member has: the uncovered part is a debt, i.e. a negative balance with every lot empty.
The next credit repays the debt first: its new lot starts with ``remaining = points -
debt`` and records the repayment as a draw on itself. Hence, for every member:

    balance == SUM(entries.points)
    SUM(lots.remaining) == MAX(balance, 0)
    lot.remaining == lot.points + SUM(draws on lot), 0 <= remaining <= points

which is exactly what ``models.ledger.doctor`` checks.

The rules that price an entry live here too: the configured rules (:mod:`.config`) and
their versions, the computation (:mod:`.rules`) and its explanation (:mod:`.quotes`), the
quote of a purchase that the earn writes (:mod:`.quoting`: one function for both), tiers,
who a campaign is for at earn time (:mod:`.targeting`), typed outcomes (:mod:`.results`).
Imports: codes, store, delivery.

Idempotency keys are namespaced per operation in ``LedgerEntry.idempotency_key``
(``earn:…``, ``spend:…``, ``bonus:…``, ``adjust:…``, ``refund:…``, ``void:…``,
``expire:<run>:<member>``), so one caller key may serve two different operations.
"""

from __future__ import annotations

from models.ledger.dates import expiry_for, local_midnight
from models.ledger.earning import earn_for_purchase, receipt_args
from models.ledger.expiry import expire_due, expiring_between
from models.ledger.keys import MAX_KEY_LENGTH, _Reject, check_key, run_keyed
from models.ledger.postings import credit, credit_back, debit, lock_member
from models.ledger.quoting import PurchasePlan, quote_purchase
from models.ledger.refunds import find_purchase, refund
from models.ledger.spending import adjust, grant_bonus, spend

__all__ = [
    "MAX_KEY_LENGTH",
    "PurchasePlan",
    "_Reject",
    "adjust",
    "check_key",
    "credit",
    "credit_back",
    "debit",
    "earn_for_purchase",
    "expire_due",
    "expiring_between",
    "expiry_for",
    "find_purchase",
    "grant_bonus",
    "local_midnight",
    "lock_member",
    "quote_purchase",
    "receipt_args",
    "refund",
    "run_keyed",
    "spend",
]
