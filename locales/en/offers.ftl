# Personal offers: win-back offers, suggestions, targeted campaigns and their reports.

offers-winback = 👋 We miss you! A personal offer just for you: <b>×{ $multiplier } points</b> on your next purchase until { $until }. Just show your card at the till.

    To stop offers like this: /profile → 📣 Offers on/off.

offers-balance-suggest-now = 🎁 You can take <b>{ $name }</b> now: /rewards
offers-balance-suggest-next = 🎁 Next up: <b>{ $name }</b>, { $missing } points to go.

offers-report-title = 🎯 Targeted campaigns (targeted vs control group vs the same members' previous period)
offers-report-line =
    { $name } · { $audience ->
        [tier] by tier
        [segment] RFM segment
        [at_risk] at-risk members
        [category] bought a category
        [members] member list
       *[winback] win-back offers
    }
    Targeted: { $members } members, { $buyers } bought ({ $rate }), { $sales }, { $points } points
    Control: { $control } members, { $control_buyers } bought ({ $control_rate }), { $control_sales } · lift { $lift }
    Before: { $previous_buyers } bought, { $previous_sales }
