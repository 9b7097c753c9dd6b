"""Demo data for the sandbox, seeded through the store's own operations: the first hour
(:mod:`.demo`: a catalogue, a running campaign, five shoppers) and a season of history
(:mod:`.season`: six months of some 300 members, drawn by :mod:`.cast`, played on
:mod:`.stage`, the marketer's part in :mod:`.season_marketing`).

Imports every room below it.
"""
