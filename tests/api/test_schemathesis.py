"""Schemathesis against ``/api/v1/openapi.json``: positive and negative data for every
operation, over real HTTP, on both databases. No answer is a 5xx and every answer
matches the document (status, content type, headers, body schema).

The budget is fixed for CI (``JIFEN_SCHEMATHESIS_EXAMPLES`` examples per operation and
mode, default 25); set it higher for a longer run on demand.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
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
    it did to ``Authorization``, and ``requests`` drops query values of ``None``, so such a
    mutation arrives as a valid request (and a 200 would be no finding)."""
    assert case.meta is not None
    negative = {where for where, info in case.meta.components.items() if info.mode.is_negative}
    if ParameterLocation.HEADER in negative and "Authorization" not in (case.headers or {}):
        negative.discard(ParameterLocation.HEADER)
    if ParameterLocation.QUERY in negative and None in (case.query or {}).values():
        negative.discard(ParameterLocation.QUERY)
    return bool(negative)


def schema_valid_data_is_not_called_invalid(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """A request the document allows is never refused as malformed."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code in (400, 422):
        error = response.json()["error"]
        if error.get("reason") in MEANING_REASONS:
            return None
        assert error["code"] not in SCHEMA_REFUSALS, (
            f"schema-valid request refused: {response.text}"
        )
    return None


def check_every_operation(
    operations: Iterable[Any],
    *,
    base_url: str,
    session: requests.Session,
    headers: dict[str, str],
    still_invalid: Callable[[schemathesis.Case], bool] = reaches_the_server_invalid,
    additional_checks: Sequence[Any] = (),
) -> None:
    """Positive and negative cases of every operation against ``base_url``: no 5xx and every
    answer as documented (shared with the console's document, ``tests/console``)."""
    for operation in operations:
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
                    assume(still_invalid(case))
                case.call_and_validate(
                    base_url=base_url,
                    session=session,
                    headers=headers,
                    excluded_checks=[positive_data_acceptance],
                    additional_checks=list(additional_checks),
                )

            try:
                check()
            except Unsatisfiable:  # nothing to get wrong (no parameters, no body)
                assert mode is GenerationMode.NEGATIVE, operation.label


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_every_operation_answers_as_documented(kind: str, tmp_path: Path) -> None:
    schema = schemathesis.openapi.from_dict(document())
    with live_api(kind, tmp_path) as live, requests.Session() as session:
        check_every_operation(
            (result.ok() for result in schema.get_all_operations()),
            base_url=live.base_url,
            session=session,
            headers={"Authorization": f"Bearer {live.keys[0]}"},
            additional_checks=[schema_valid_data_is_not_called_invalid],
        )
