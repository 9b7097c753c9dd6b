"""The till: staff record purchases, redeem vouchers, refund; admins manage staff.

Deep links handled here: ``m-`` (member card: staff start a purchase), ``v-`` (voucher:
staff redeem it), ``s-`` (staff invite). Every command has its role in the table below,
which also builds each role's command menu. Button actions start with ``t``.
"""

from __future__ import annotations

from handlers.registry import Button, Command, Confirm, Feature, Input
from handlers.till import lookup, payment, purchase, redeem, refund, staffing
from handlers.till.common import on_cancel
from models.store.tables import Role

STAFF, ADMIN = Role.STAFF, Role.ADMIN

FEATURE = Feature(
    name="till",
    commands=(
        Command("checkout", lookup.checkout_command, "till-cmd-checkout", role=STAFF),
        Command("redeem", redeem.redeem_command, "till-cmd-redeem", role=STAFF),
        Command("refund", refund.refund_command, "till-cmd-refund", role=STAFF),
        Command("member", lookup.member_command, "till-cmd-member", role=STAFF),
        Command("adjust", lookup.adjust_command, "till-cmd-adjust", role=ADMIN),
        Command("staff", staffing.staff_command, "till-cmd-staff", role=ADMIN),
    ),
    buttons={
        "tx": Button(on_cancel),
        "tq": Button(purchase.on_record_button, STAFF),
        "tm": Button(lookup.on_profile_button, STAFF),
        "tc": Button(purchase.on_category, STAFF),
        "tpo": Button(payment.on_offer, STAFF),
        "tr": Button(refund.on_full, STAFF),
        "ts": Button(staffing.on_revoke, ADMIN),
        "ta": Button(lookup.on_adjust_button, ADMIN),
        "taj": Button(lookup.on_adjust_choice, ADMIN),
    },
    confirms={
        purchase.KIND: Confirm(purchase.confirmed, STAFF),
        payment.KIND: Confirm(payment.member_confirmed, cancelled=payment.member_declined),
        redeem.KIND: Confirm(redeem.confirmed, STAFF),
        refund.KIND: Confirm(refund.confirmed, STAFF),
        lookup.KIND: Confirm(lookup.adjust_confirmed, ADMIN),
        staffing.KIND: Confirm(staffing.revoke_confirmed, ADMIN),
    },
    deep_links={
        "m": purchase.on_card,
        "v": redeem.on_voucher_link,
        "s": staffing.on_invite_link,
    },
    inputs={
        purchase.AMOUNT_STATE: Input(purchase.on_amount, STAFF),
        redeem.CODE_STATE: Input(redeem.on_code, STAFF),
        refund.AMOUNT_STATE: Input(refund.on_amount, STAFF),
        lookup.FIND_STATE: Input(lookup.on_find, STAFF),
        lookup.ADJUST_STATE: Input(lookup.on_adjust_text, ADMIN),
        "": Input(redeem.catch_all),
    },
)
