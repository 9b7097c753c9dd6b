"""The HTTP face for a shop's POS or web shop: ``build_api`` in :mod:`api.app`.

Routes are thin like chat handlers: parse strictly (:mod:`api.validation`), call one
operation in ``models/``, answer JSON. Keys in :mod:`api.auth`, replay of keyed writes in
:mod:`api.idempotency`, the document in :mod:`api.openapi`.
"""
