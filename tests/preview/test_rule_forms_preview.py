"""Preview equals effect for the console's rules forms: the example a form's preview
shows (:func:`api.console.rules_forms.propose`, the console's own code path) is what the
next such purchase records once the form is saved, for random shops (rules, tiers,
campaigns for everyone) and random form edits (multiplier lists, tier multipliers and
thresholds, points as payment), on both databases."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from api.console.common import Visitor
from api.console.rules_forms import propose
from models import ledger
from models.access.staff import Grant
from models.ledger import rule_forms, rule_versions
from models.ledger.results import PurchaseRecorded
from models.ledger.rule_forms import FormError
from models.marketing import campaigns
from models.store import clock
from models.store.tables import Role
from tests.preview.scenarios import (
    NOW,
    TZ,
    CampaignSpec,
    campaign_specs,
    make_campaigns,
    rule_sets,
    wipe,
)
from tests.preview.test_preview_equals_effect import BUDGET
from tests.store.helpers import member as new_member

VISITOR = Visitor(1, Grant(1, Role.ADMIN, None), "en", "Admin")
MULTIPLIERS = ("0", "0.5", "1", "1.25", "2", "3")


@st.composite
def form_edits(draw: st.DrawFn, rules: ledger.config.RuleSet) -> tuple[str, dict[str, Any]]:
    """One form's inputs, as an admin would post them."""
    form = draw(st.sampled_from(("multipliers", "tiers", "usage")))
    if form == "multipliers":
        rows = len(rules.earning.category_multipliers) + rule_forms.BLANK_ROWS
        chosen = draw(
            st.dictionaries(
                st.sampled_from(("coffee", "tea", "food")), st.sampled_from(MULTIPLIERS), max_size=3
            )
        )
        inputs: dict[str, Any] = {}
        for i in range(max(rows, len(chosen))):
            key, value = list(chosen.items())[i] if i < len(chosen) else ("", "")
            inputs[f"cat_key_{i}"], inputs[f"cat_mult_{i}"] = key, value
        return form, inputs
    if form == "tiers":
        i = draw(st.integers(0, len(rules.tiers.levels) - 1))
        edit = {f"t_mult_{i}": draw(st.sampled_from(MULTIPLIERS))}
        if i:
            edit[f"t_thr_{i}"] = str(draw(st.sampled_from((1, 300, 100_000))))
        return form, edit
    return form, {
        "pay": draw(st.sampled_from(("on", "off"))),
        "share": str(draw(st.integers(0, 100))),
    }


@BUDGET
@given(data=st.data(), rules=rule_sets(), specs=st.lists(campaign_specs(("all",)), max_size=2))
async def test_the_form_preview_is_the_next_purchase(
    store: str, data: st.DataObject, rules: ledger.config.RuleSet, specs: list[CampaignSpec]
) -> None:
    await wipe()
    clock.freeze(NOW)
    await rule_versions.save(rules, None)
    form, inputs = data.draw(form_edits(rules))
    changed = rule_forms.apply_form(rules, form, inputs)
    assume(not isinstance(changed, FormError))
    assert not isinstance(changed, FormError)
    await make_campaigns(specs, [])
    preview = (await propose(VISITOR, form, inputs, TZ))["example"]
    await rule_versions.save(changed, 1, source="console", actor_kind="console")
    member = await new_member(tier=preview["tier"])
    done = await ledger.earn_for_purchase(
        member.id,
        preview["amount_minor"],
        "CNY",
        idempotency_key="next",
        category=preview["category"],
        campaigns=await campaigns.rules_at(NOW, "telegram", tz=TZ),
        tz=TZ,
    )
    if preview["after"] is None:
        assert not isinstance(done, PurchaseRecorded), done
    else:
        assert isinstance(done, PurchaseRecorded) and done.points == preview["after"]
