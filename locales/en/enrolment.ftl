# Members enrolled elsewhere (import, web shop, POS) linking their Telegram account.

enrol-linked = 🎉 Welcome back, { $name }! We found your membership: <b>{ $balance }</b> points, tier { $tier }. Everything is here now.
enrol-phone-has-history = This phone number belongs to a membership created at the shop, but this Telegram account already has its own points history. Please ask the staff at the counter to bring the two together.
enrol-link-joined = 🎉 Your membership is now linked to this Telegram account: <b>{ $balance }</b> points, tier { $tier }.
enrol-link-own = This membership is already yours.
enrol-link-has-history = This join link is for a membership created at the shop, but this Telegram account already has its own points history. Please ask the staff at the counter to bring the two together.
enrol-link-used = This join link has already been used. If this is your membership, ask the shop for a new link.
enrol-link-unknown = This join link is not valid. Please check it or ask the shop for a new one.
enrol-link-staff = This is a customer's join link: the customer opens it on their own phone to link their membership.
member-history-opening = { $date } · balance brought over <b>{ $points }</b> (from { $source })

api-error-phone-taken = This phone number belongs to another member ({ $member_code }).
api-error-member-deleted = The member with this external id deleted their account.
