"""Reaching members: campaigns, audiences (choosing and materializing who a campaign is
for), win-back offers, RFM segments, broadcasts, reminders and birthday greetings.

Imports every room below it: codes, store, delivery, conversation, access, ledger,
reports, members, catalogue.
"""
