"""What a half-done conversation remembers between updates: the flow state
(:mod:`.flows`) and every confirm step as a pending action (:mod:`.pending`).

Imports: codes, store.
"""
