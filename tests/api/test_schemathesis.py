"""Schemathesis against ``/api/v1/openapi.json``: positive and negative data for every
operation, over real HTTP, on both databases. No answer is a 5xx and every answer
matches the document (status, content type, headers, body schema).

The budget is fixed for CI (``JIFEN_SCHEMATHESIS_EXAMPLES`` examples per operation and
mode, default 25); set it higher for a longer run on demand.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.generation.meta import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.openapi import document
from tests.api.live import live_api

EXAMPLES = int(os.environ.get("JIFEN_SCHEMATHESIS_EXAMPLES", "25"))
SCHEMA_REFUSALS = {"invalid_field", "invalid_json", "invalid_idempotency_key"}
MEANING_REASONS = {"not-a-phone-number", "past-date-YYYY-MM-DD"}
"""``invalid_field`` reasons about what a well-formed value means (a number that cannot
exist, a birthday in the future), which JSON Schema cannot say."""
"""Codes that mean "this request does not match the document": never for positive data.

(Rule refusals such as ``unknown_currency`` or ``below_minimum_purchase`` are answers the
document lists: a schema-valid purchase in another currency is still refused, so
schemathesis' own ``positive_data_acceptance``, which wants 2xx, does not apply.)"""


def reaches_the_server_invalid(case: schemathesis.Case) -> bool:
    """Whether a negative case is still invalid on the wire: our own key replaces whatever
    it did to ``Authorization``, and ``requests`` drops query values of ``None`` (and empty
    lists), so such a mutation arrives as a valid request (and a 200 would be no finding)."""
    assert case.meta is not None
    negative = {where for where, info in case.meta.components.items() if info.mode.is_negative}
    if ParameterLocation.HEADER in negative and "Authorization" not in (case.headers or {}):
        negative.discard(ParameterLocation.HEADER)
    dropped = [value for value in (case.query or {}).values() if value is None or value == []]
    if ParameterLocation.QUERY in negative and dropped:
        negative.discard(ParameterLocation.QUERY)
    return bool(negative)


def not_called_invalid(refusals: set[str], meanings: set[str]) -> schemathesis.CheckFunction:
    """The check that a request the document allows is never refused as malformed (one of
    ``refusals``), unless for a ``meanings`` reason JSON Schema cannot express."""

    def schema_valid_data_is_not_called_invalid(
        ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
    ) -> bool | None:
        if case.meta is None or not case.meta.generation.mode.is_positive:
            return None
        if response.status_code in (400, 422):
            error = response.json()["error"]
            if error.get("reason") in meanings:
                return None
            assert error["code"] not in refusals, f"schema-valid request refused: {response.text}"
        return None

    return schema_valid_data_is_not_called_invalid


def every_operation_answers_as_documented(
    schema: schemathesis.BaseSchema,
    base_url: str,
    headers: dict[str, str],
    *,
    refusals: set[str] = SCHEMA_REFUSALS,
    meanings: set[str] = MEANING_REASONS,
    still_invalid: Callable[[schemathesis.Case], bool] | None = None,
    skip: Callable[[Any], bool] = lambda operation: False,
) -> None:
    """Positive and negative cases of every operation of ``schema`` (but those ``skip``
    names), ``EXAMPLES`` each, against the server at ``base_url`` (also the Mini App's and
    the console's). ``still_invalid`` says whether a negative case is still invalid once
    the caller's own headers replaced what it mutated (default: the API key's rule)."""
    additional = [not_called_invalid(refusals, meanings)]
    invalid = still_invalid or reaches_the_server_invalid
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            if skip(operation):
                continue
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @settings(
                    max_examples=EXAMPLES,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=operation.as_strategy(generation_mode=mode))
                def check(case: schemathesis.Case) -> None:
                    assert case.meta is not None
                    if case.meta.generation.mode.is_negative:
                        assume(invalid(case))
                    case.call_and_validate(
                        base_url=base_url,
                        session=session,
                        headers=headers,
                        excluded_checks=[positive_data_acceptance],
                        additional_checks=additional,
                    )

                try:
                    check()
                except Unsatisfiable:  # nothing to get wrong (no parameters, no body)
                    assert mode is GenerationMode.NEGATIVE, operation.label


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_every_operation_answers_as_documented(kind: str, tmp_path: Path) -> None:
    schema = schemathesis.openapi.from_dict(document())
    with live_api(kind, tmp_path) as live:
        auth = {"Authorization": f"Bearer {live.keys[0]}"}
        every_operation_answers_as_documented(schema, live.base_url, auth)
