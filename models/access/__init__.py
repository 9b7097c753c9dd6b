"""Who may do what: staff roles granted and revoked (:mod:`.staff`) and API keys for
POS terminals and web shops (:mod:`.api_keys`), each change audited; the console's
one-time login links and sessions (:mod:`.console`), ended when a role is revoked.

Imports: codes, store.
"""
