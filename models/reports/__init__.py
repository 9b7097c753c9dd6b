"""Figures over periods for owners and marketers: periods in the shop's time zone
(:mod:`.periods`), report SQL on both dialects (:mod:`.query`), the summary
(:mod:`.summary`), daily series for charts (:mod:`.series`), the summary as a message
(:mod:`.messages`) and the opt-in weekly report (:mod:`.weekly`).

Reads the ledger's tables, never writes them. Imports: codes, store, delivery,
conversation, access, ledger.
"""
