# Shared texts: errors, buttons and words many features use.
common-not-allowed = Sorry, that is only for { $role ->
    [admin] admins
    [marketer] marketers
   *[staff] staff
}.
common-button-expired = This button has expired. Please start again.
common-error = Something went wrong on our side. Nothing was changed; please try again.
common-cancelled = Cancelled. Nothing was changed.
common-confirm = ✅ Confirm
common-cancel = ✖️ Cancel
common-back = ◀️ Back
common-next = Next ▶️
common-page = Page { $page } of { $pages }
common-unknown-command = I don't know that command. Send /help to see what I can do.
common-not-a-number = “{ $text }” is not a number. Please send a number like { $example }.
common-points = { $points ->
    [one] { $points } point
   *[other] { $points } points
}
common-hint-member = I didn't catch that. Use the menu keys below (💰 Balance, 🪪 Card, 🎁 Rewards …) or send /help.
common-hint-staff = I didn't catch that. Scan a member's card or a voucher, type a voucher code, or send /help for the till commands.
common-hint-marketer = I didn't catch that. Send /campaign, /broadcast or /rewards, or /help for everything you can do.
common-hint-admin = I didn't catch that. Send /report, /rules or /staff, or /help for everything you can do.
