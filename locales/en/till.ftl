# The till: staff record purchases, redeem vouchers, refund; admins manage staff.
# Sent with parse_mode=HTML: only Telegram's tags, and escape & < > as &amp; &lt; &gt;.

till-cmd-checkout = Record a purchase (phone or member code)
till-cmd-redeem = Redeem a voucher by its code
till-cmd-refund = Refund a purchase by its receipt code
till-cmd-member = Look a member up
till-cmd-adjust = Correct a member's points
till-cmd-staff = Staff, roles and invites

till-role-admin = admin
till-role-marketer = marketer
till-role-staff = cashier

## purchases
till-card-show-at-counter = 💳 This is a membership card. Show it at the counter when you pay and the cashier will scan it.
till-card-unknown = This membership card is not valid (it may have been replaced). Ask the member to open /card again.
till-member-card = 👤 <b>{ $name }</b> · { $code }
    { $tier } · { $points ->
        [one] { $points } point
       *[other] { $points } points
    }
till-amount-ask = How much is the purchase? Send the amount, e.g. 128.50
till-amount-negative = The amount cannot be negative. Please send the amount paid, e.g. { $example }.
till-amount-zero = The amount must be more than zero. Please send the amount paid, e.g. { $example }.
till-amount-decimals = Too many decimals: at most { $decimals } after the point, e.g. { $example }.
till-amount-too-large = That is more than { $limit }, which looks like a typo. Please check and send the amount again.
till-amount-below-minimum = Purchases under { $minimum } do not earn points. Send a larger amount, or Cancel.
till-category-ask = Amount: <b>{ $amount }</b>. Which category? (or skip)
till-category-other = Other
till-category-skip = Skip
till-category-none = —
till-purchase-confirm = Record this purchase?
    👤 { $name }
    💰 <b>{ $amount }</b> · { $category }
    ⭐ <b>+{ $points }</b> ({ $breakdown })
till-purchase-confirm-paid = Record this purchase?
    👤 { $name }
    💰 { $amount } · { $category }
    💳 { $paid } points paid −{ $discount } · collect <b>{ $due }</b>
    ⭐ <b>+{ $points }</b> ({ $breakdown })
    { $earn_on_paid ->
        [yes] The part paid with points earns points too.
       *[no] The part paid with points earns no points.
    }
till-purchase-changed = The quote changed since it was shown (a campaign, the rules or today's points). Nothing was recorded: please check the new quote below.
till-receipt-staff = ✅ Recorded <b>{ $receipt }</b>: { $amount } for { $name }.
    <b>+{ $points }</b> · new balance { $balance }.
till-receipt-member = 🧾 Thank you! <b>+{ $points ->
        [one] { $points } point
       *[other] { $points } points
    }</b> for your purchase of { $amount }.
    Balance: <b>{ $balance }</b> · tier { $tier }
    Receipt { $receipt } · { $breakdown }

## member lookup
till-find-ask = Send the member's name (or part of it), phone number or member code.
till-member-not-found = No member found with that name, phone number or code. Check it and send it again.
till-find-choose = Several members match. Which one? (Type more of the name to narrow it down.)
till-lookup-profile = { $card }
    📞 { $phone } · joined { $joined }
    Last purchases:
    { $purchases }
    Vouchers:
    { $vouchers }
till-lookup-purchase = • { $at } · { $amount } · +{ $points } · { $receipt }
till-lookup-no-purchases = (none yet)
till-lookup-record = 🧾 Record a purchase
till-lookup-adjust = ✏️ Adjust points
till-lookup-voucher = • 🎟 { $reward } · { $code } · until { $until }
till-lookup-no-vouchers = (none)
till-adjust-ask = Send the change for { $name } and a reason, e.g. -50 duplicate purchase or +300 goodwill.

## vouchers
till-voucher-show-at-counter = 🎟 This is a voucher. Show it at the counter and the cashier will scan it to give you your reward.
till-voucher-unknown = This voucher does not exist. Check the code (e.g. K7QM-4PXD) or scan the QR again.
till-voucher-preview = 🎟 <b>{ $reward }</b>
    👤 { $name } · { $code }
    Valid until { $until }
    Redeem it now?
till-voucher-used = ⛔ Already used on { $at } by { $by }.
till-voucher-expired = ⛔ This voucher expired on { $on }.
till-voucher-voided = ⛔ This voucher was cancelled on { $at }.
till-voucher-redeemed-staff = ✅ Redeemed: <b>{ $reward }</b> ({ $code }). Hand it over.
till-voucher-redeemed-member = 🎁 Your voucher { $code } for <b>{ $reward }</b> has been used. Enjoy!
till-redeem-ask = Send the voucher code (e.g. K7QM-4PXD) or a photo of its QR code.
till-photo-no-qr = I could not find a QR code in that photo. Try again closer, or type the code.
till-photo-not-ours = That QR code is not one of ours.

## refunds
till-refund-usage = Send /refund with the receipt code, e.g. /refund R-K7QM-4PXD
till-refund-unknown = No purchase with that receipt code.
till-refund-preview = 🧾 <b>{ $receipt }</b> · { $at }
    👤 { $name } · { $amount } · +{ $points }
    Refunded so far: { $refunded } · refundable: <b>{ $refundable }</b>
till-refund-nothing-left = Nothing is left to refund on this purchase.
till-refund-ask = Refund all of it, or send the amount to refund.
till-refund-full = Refund all ({ $amount })
till-refund-too-much = That is more than can be refunded: at most <b>{ $refundable }</b>.
till-refund-confirm = Refund <b>{ $amount }</b> of { $receipt }? This takes back { $points ->
        [one] { $points } point
       *[other] { $points } points
    }.
till-refund-done = ↩️ Refunded { $amount } of { $receipt } for { $name }: −{ $points } · balance { $balance }.
till-refund-member = ↩️ { $amount } of your purchase { $receipt } was refunded, so { $points ->
        [one] { $points } point was
       *[other] { $points } points were
    } taken back. Balance: <b>{ $balance }</b>.

## corrections
till-adjust-usage = Send /adjust with the member (code, phone or name), the points and a reason, e.g. /adjust K7QM4PXD -50 duplicate purchase
till-adjust-confirm = Change { $name }'s points by <b>{ $points }</b>?
    Balance: { $before } → <b>{ $after }</b> points
    Reason: { $reason }
till-adjust-done = ✅ Done: { $points } · balance { $before } → <b>{ $after }</b>.
till-adjust-insufficient = Not possible: the member has only { $points }.
till-adjust-member = ✏️ Your points were corrected by <b>{ $points }</b> ({ $reason }). Balance: <b>{ $balance }</b>.

## staff
till-staff-list = 👥 <b>Staff</b>
    { $people }
till-staff-line = • { $name } · { $role }{ $location }
till-staff-revoke = Revoke { $name }
till-staff-revoke-confirm = Take the { $role } role away from { $name }?
till-staff-revoked = ✅ { $name } no longer has a role.
till-staff-last-admin = ⛔ Not possible: that would leave the shop without an admin.
till-staff-not-staff = That person has no role (any more).
till-invite-created = 🔑 Invite for a new <b>{ $role }</b> { $location }
    Scan this QR or open { $link }
    One person can use it, until { $until }.
till-invite-welcome = 👋 Welcome to the team! You are now a <b>{ $role }</b> { $location }. Send /help to see what you can do.
till-invite-used = This invite was already used (on { $at }). Ask for a new one.
till-invite-expired = This invite expired on { $on }. Ask for a new one.
till-invite-unknown = This invite is not valid. Ask for a new one.
till-invite-already-admin = You are already an admin; the invite is left for someone else.
till-invite-unknown-role = “{ $word }” is not a role. Send /staff invite with one of: { $roles }, then the location if any, e.g. /staff invite cashier Main Street

## points as payment
till-pay-offer = 💳 Pay with points
till-pay-unavailable = Paying with points is not possible for this member (too few points, or switched off).
till-pay-asked = Asked { $name } to confirm paying { $points } points (−{ $discount }) in their chat. You will be told here.
till-pay-ask-member = 💳 Pay <b>{ $points } points</b> (−{ $discount }) towards your bill of { $amount }?
till-pay-decline = ✖️ Decline
till-pay-paid = ✅ Paid with { $points } points: −{ $discount }. Balance: { $balance }.
till-pay-declined = OK, no points were used.
till-pay-insufficient = You do not have enough points any more (balance { $balance }). Nothing was used.
till-pay-staff-paid = 💳 { $name } paid with points. Collect <b>{ $due }</b>, then confirm:

    { till-purchase-confirm-paid }{ $stamps }
till-pay-staff-declined = { $name } did not pay with points. Collect the full amount.
till-pay-staff-unpaid = { $name } did not pay with points. Collect the full amount.

    { till-purchase-confirm }{ $stamps }
till-pay-too-late = The cashier has already finished this purchase, so no points were used.

## The merchant's first week (issue 22)
till-invite-used-admin = ✅ { $name } used your invite: now { $role ->
        [staff] a cashier
        [marketer] a marketer
       *[admin] an admin
    }{ $location }. /staff lists everyone.
till-role-ended = Your role at the shop ({ $role ->
        [staff] cashier
        [marketer] marketer
       *[admin] admin
    }) has ended: the staff commands are gone from your menu. Thank you!
till-staff-unseen = (has not opened the bot yet)
