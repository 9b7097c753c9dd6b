"""Rewards and what they become: the catalogue as marketers keep it (:mod:`.rewards`) and
as members browse it (:mod:`.browsing`), vouchers (issued for points, redeemed once),
coupon batches and suggestions of what to aim for.

Imports: codes, store, delivery, conversation, access, ledger, reports, members.
"""
