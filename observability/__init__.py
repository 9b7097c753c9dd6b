"""What an operator's machines read: logs (:mod:`observability.logs`) and metrics
(:mod:`observability.metrics`). The plumbing lives here, in one place; the rest of jifen
only sets the context (an update id, a request id) and counts what happened.

Imports: the standard library, aiohttp and prometheus_client; ``models`` for what metrics
read from the store at scrape time. Never ``bot``, ``handlers``, ``api`` or ``scheduler``.
"""
