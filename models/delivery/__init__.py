"""What leaves the store, and what arrives: the outbox (messages the bot starts) and its
delivery bookkeeping, the inbox (Telegram updates stored before they are acknowledged),
webhook endpoints, events and deliveries, and the send pace all instances share.

Rows are written in the transaction of their cause; workers claim them under leases.
Imports: codes, store.
"""
