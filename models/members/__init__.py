"""People: joining and finding members (:mod:`.membership`), phone numbers, staff
invites, members enrolled outside Telegram (:mod:`.enrolment`), referrals (who invited
whom) and forgetting a person (:mod:`.erasure`).

Imports: codes, store, delivery, conversation, access, ledger, reports.
"""
