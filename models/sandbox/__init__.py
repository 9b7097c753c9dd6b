"""Demo data for the sandbox (:mod:`.demo`), seeded through the store's own operations.

Imports every room below it.
"""
