"""Figures over periods for owners and marketers: periods in the shop's time zone
(:mod:`.periods`), report SQL on both dialects (:mod:`.query`), the summary
(:mod:`.summary`), daily series for charts (:mod:`.series`), the summary as a message
(:mod:`.messages`), the opt-in weekly report (:mod:`.weekly`) and stamp-card figures
(:mod:`.stamps`).

Reads the ledger's tables, never writes them. Imports: codes, store, delivery,
conversation, access, ledger.
"""
