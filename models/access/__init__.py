"""Who may do what: staff roles granted and revoked (:mod:`.staff`) and API keys for
POS terminals and web shops (:mod:`.api_keys`), each change audited.

Imports: codes, store.
"""
