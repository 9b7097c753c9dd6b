"""The plumbing every room stands on: opening the database (:mod:`.db`), the SQLite
engine (:mod:`.sqlite_backend`), group commit, hand-written SQL on both dialects
(:mod:`.sql`, the one place that touches Tortoise internals), the global lock order
(:mod:`.locks`), the tables (:mod:`.tables`), the clock, shared secrets, the audit trail and
the bookkeeping that makes scheduled jobs run once (:mod:`.jobs`).

Imports: codes.
"""
