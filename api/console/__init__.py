"""The back-office console for admins and marketers, at ``/console/``.

Served by jifen's own HTTP server (``bot.runners``, when ``bot.public_url`` is set) and
always in the sandbox, as a sub-application (:func:`api.console.app.build_console`).
Pages are rendered on the server with Jinja2 (``templates/``), made interactive with
htmx and drawn with ECharts, both vendored in ``static/vendor`` (no CDN; the CSP allows
our own files only). Every word comes from ``locales/*/console.ftl`` in the person's
language; the pages follow the system's light or dark scheme and fit 360 px phones.

Getting in (:mod:`.session`, :mod:`.guard`): ``/console`` in chat gives admins and
marketers a one-time login link (ten minutes, once) that opens a cookie session; inside
Telegram the Mini App's *Console* entry trades its initData for one. Every request checks
the session and the role in the store; cashiers, members and strangers get 403 on every
route. The JSON behind the pages is under ``/console/api/`` (OpenAPI 3.1 at
``/console/api/openapi.json``); writes with a cookie need ``X-CSRF-Token``, and keyed
writes an ``Idempotency-Key`` (:func:`api.idempotency.run_once`).

How to add a section (say *rewards*)
------------------------------------

1. **Query code in models/**, in the room that owns the noun (``models/catalogue/``);
   the console's handlers stay thin: parse, one operation, answer.
2. **One module here**, ``api/console/rewards.py``, declaring::

       SECTION = Section(
           key="rewards",
           title="console-nav-rewards",          # locales/*/console.ftl
           path="/rewards",                       # its page, linked from the navigation
           role=Role.MARKETER,                    # who sees it (admins see everything)
           routes=(
               Route("GET", "/rewards", rewards_page),                    # a page
               Route("GET", "/api/rewards", list_rewards, doc={...}),     # JSON + OpenAPI
               Route("POST", "/api/rewards", create_reward, role=Role.ADMIN, doc={...}),
           ),
           schemas={"Reward": {...}},             # OpenAPI components it refers to
       )

   A handler is ``async def h(request, visitor) -> dict | web.Response``: it runs only
   for a checked visitor (role, CSRF, origin). A dict is answered as JSON; a page is
   ``page(request, visitor, "rewards.html", **context)``. Raise
   ``api.errors.ApiError(status, code)``: the code's message comes from ``api.ftl`` or,
   for the console's own codes, ``CONSOLE_ERRORS`` in :mod:`.common`. A write calls the
   same store operation as the chat, keyed like :func:`api.console.member.adjust`.
3. **Add it to** ``SECTIONS`` in :mod:`.app`.
4. **Templates** in ``templates/`` extending ``base.html``; texts via ``t("key")``
   (the keys in both ``console.ftl`` files); no inline script or style: behaviour goes
   in ``static/console.js`` (``form[data-api]`` posts JSON forms with the CSRF token
   and an Idempotency-Key; ``[data-chart]`` draws a chart from a JSON URL).
5. **Tests**: ``tests/console/test_access.py`` walks every route of the app, so a new
   route is already covered for 403s and CSRF; add its behaviour tests beside it.
"""

from __future__ import annotations

from api.console.app import SECTIONS, build_console, mount
from api.console.common import API, PREFIX, Route, Section, Visitor

__all__ = ["API", "PREFIX", "SECTIONS", "Route", "Section", "Visitor", "build_console", "mount"]
