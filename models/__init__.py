"""The core of jifen: the store and every operation on it, in rooms named for the domain.

Rooms, lowest first. A room may import the rooms listed before it, never one after it
(``tests/test_structure.py`` checks this, and that no module anywhere imports itself in a
circle). Nothing here imports ``telegram``, ``aiohttp`` or ``apscheduler``.

=============  ===========================================================================
codes          what people scan or type: random tokens, voucher codes, QR pictures
spreadsheets   files people open in a spreadsheet: one safe writer, bounded readers
store          the plumbing: connections, SQL helpers, locks, tables, clock, audit, jobs
delivery       what leaves the store: outbox, inbox, webhook events, send pace, leases
conversation   what a half-done chat remembers: flows and pending confirm steps
access         who may do what: staff roles and API keys
ledger         points: postings, earning, spending, refunds, expiry, rules, tiers
reports        figures over periods: the summary, daily series, the weekly report
members        people: joining, finding, profiles, phones, invites, enrolment, erasure
catalogue      rewards and what they become: vouchers, coupons, suggestions
stamps         stamp cards: card types, stamps on purchases, refunds take them back
marketing      campaigns, audiences, offers, segments, broadcasts, reminders, birthdays
exports        files for owners: ledger, purchases, members, vouchers, segments
importing      members brought over from another system
sandbox        demo data for the sandbox: the first hour, and a season of history
=============  ===========================================================================

A new feature's code goes into the room that owns its noun; if it needs a room above
its own, it belongs higher (or the piece it needs belongs lower).
"""
