"""The chat face: one module (or package) per audience or feature.

:data:`FEATURES` is the single list the Application is built from; a new feature adds
its ``FEATURE`` here and nothing else needs to change.
"""

from __future__ import annotations

from handlers import broadcast, console, core, enrolment, marketing, member, reports, rules, till
from handlers.registry import Feature

FEATURES: tuple[Feature, ...] = (
    core.FEATURE,
    till.FEATURE,
    reports.FEATURE,
    member.FEATURE,
    rules.FEATURE,
    broadcast.FEATURE,
    marketing.FEATURE,
    enrolment.FEATURE,
    console.FEATURE,
)
