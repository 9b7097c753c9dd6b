# Personal offers: win-back offers, suggestions, targeted campaigns and their reports.

offers-winback = 👋 We miss you! A personal offer just for you: <b>×{ $multiplier } points</b> on your next purchase until { $until }. Just show your card at the till.

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
    Control: { $control } members, { $control_buyers } bought ({ $control_rate }), { $control_sales } · { $early ->
        [yes] too early to compare
       *[no] lift { $lift }
    }
    Before: { $previous_buyers } bought, { $previous_sales }

offers-audience-button = 🎯 Audience
offers-audience-everyone = 🎯 Audience: everyone
offers-audience-summary = 🎯 Audience: { $rule } · { $mode ->
        [live] live (members join and leave as they qualify)
       *[snapshot] fixed when it starts
    } · control group { $control }% · { $size ->
        [one] { $size } member now
       *[other] { $size } members now
    }
offers-audience-rule = { $kind ->
        [tier] tiers { $detail }
        [segment] RFM segment “{ $detail }”
        [at_risk] at risk (no purchase for { $days } days)
        [category] bought “{ $detail }” in the last { $days } days
        [members] { $count ->
            [one] a list of { $count } member
           *[other] a list of { $count } members
        }
       *[winback] win-back offers
    }
offers-audience-ask-kind = Who is this campaign for? Members outside the audience earn the usual points.
offers-audience-kind = { $kind ->
        [all] 👥 Everyone
        [tier] 🎖 Tiers
        [segment] 📊 RFM segment
        [at_risk] ⚠️ At risk
        [category] 🏷 Bought a category
       *[members] 📋 Member list
    }
offers-audience-ask-segment = Which RFM segment?
offers-audience-ask-silent = At risk: members who bought within the last year, but not for how long?
offers-audience-days = { $days } days
offers-audience-ask-category = Send the category and how many days back to look, e.g. “coffee 30” (30 days if you leave the number out).
offers-audience-bad-category = Please send a category (up to 64 characters) and a number of days from 1 to { $max }, e.g. “coffee 30”.
offers-audience-ask-codes = Send the member codes (like { $example }) or phone numbers, separated by commas or new lines (up to { $limit }). What cannot be read is listed back and left out.
offers-audience-bad-codes = Those do not look like member codes (such as { $example }) or phone numbers, or there are more than { $limit }. Please send them again.
offers-audience-no-tier = Please choose at least one tier.
offers-audience-ask-mode = Fix the audience when the campaign starts (a snapshot: who qualified stays explainable), or keep it live (members join and leave as they qualify)?
offers-audience-mode = { $mode ->
        [live] 🔄 Live
       *[snapshot] 📌 Snapshot
    }
offers-audience-ask-control = Hold out a control group? Its members get nothing and hear nothing, so the report can show what the campaign really changed.
offers-audience-control-share = { $percent }%
offers-audience-empty = Nobody is in this audience now, so it cannot be used. Please choose another audience.
offers-audience-unknown-codes = { $count ->
        [one] { $count } member code or phone nobody has will be ignored: { $codes }
       *[other] { $count } member codes or phones nobody has will be ignored: { $codes }
    }
offers-audience-invalid = This audience is not valid any more. Please choose it again.
offers-audience-created = 🎯 Audience: { $size ->
        [one] { $size } member
       *[other] { $size } members
    } (the control group is held out of them).

## The merchant's first week (issue 22)
offers-audience-choice-count = { $label } ({ $count })
offers-audience-empty-now = Nobody is in “{ $rule }” now, so it cannot be used: please choose another.
offers-audience-unreadable = { $count ->
        [one] Could not read { $count } item, left out: { $items }
       *[other] Could not read { $count } items, left out: { $items }
    }
