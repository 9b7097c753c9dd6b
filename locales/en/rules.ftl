# /rules: the admin views and edits the earning and usage rules and the tiers.
# Sent with parse_mode=HTML.

rules-cmd = Earning and usage rules, tiers
rules-summary = <b>📏 Rules in force</b> (version { $version })
    { $lines }

    <b>Tiers</b>
    { $tiers }

    Choose what to change:
rules-line = { $field }: <b>{ $value }</b>
rules-tier-line = • { $name }: from { $threshold }, points ×{ $multiplier }
rules-none = none

rules-field-ppu = Points per unit
rules-field-rnd = Rounding
rules-field-minp = Minimum purchase
rules-field-maxp = Maximum purchase
rules-field-excl = Excluded categories
rules-field-catm = Category multipliers
rules-field-cap = Daily cap (points, 0 = none)
rules-field-minr = Minimum redemption (points)
rules-field-vval = Voucher validity (days)
rules-field-pval = Point value (minor units)
rules-field-eopp = Points on the part paid with points
rules-field-expk = Expiry policy
rules-field-expm = Expiry after (months)
rules-field-expp = Expiry period
rules-field-rem = Reminder days
rules-field-tt = { $tier } threshold
rules-field-tm = { $tier } multiplier

rules-choice-down = Round down
rules-choice-nearest = Round to nearest
rules-choice-up = Round up
rules-choice-rolling = Rolling (N months after earning)
rules-choice-end-of-period = End of period
rules-choice-never = Never expire
rules-choice-month = Month
rules-choice-quarter = Quarter
rules-choice-year = Year
rules-choice-on = On
rules-choice-off = Off

rules-choose = <b>{ $field }</b> is now: { $current }
    Choose the new setting:
rules-ask = <b>{ $field }</b> is now: { $current }
    Send the new value. { $hint }
rules-hint-int = A whole number, e.g. 2.
rules-hint-money = An amount, e.g. 128.50.
rules-hint-decimal = A number, e.g. 1.5.
rules-hint-words = Category names separated by commas, e.g. gift_card, tobacco (or - for none).
rules-hint-multipliers = category=multiplier pairs, e.g. coffee=1.5, tea=2 (or - for none).
rules-hint-days = Days before expiry, e.g. 30, 7 (or - for none).

rules-invalid = ⚠️ That value for <b>{ $field }</b> cannot be used: { $problem ->
        [too-small] it must be at least { $limit }.
        [too-large] it must be at most { $limit }.
        [not-above] it must be more than { $limit }.
        [conflict] it clashes with the other rules (for example, tier thresholds must increase from tier to tier).
        [unknown-field] this setting no longer exists.
       *[format] I could not read it.
    } Nothing was changed; send another value or press Cancel.
rules-confirm = <b>{ $field }</b>: { $old } → <b>{ $new }</b>

    Example: { $amount } in { $category } by a { $tier } member earns { $before ->
        [-1] nothing
       *[other] { $before } points
    } now, { $after ->
        [-1] nothing
       *[other] { $after } points
    } after the change.
    Save this as the new rules?
rules-saved = ✅ Saved. Rules version { $version } is now in force for every new purchase.
rules-stale = The rules were changed by someone else meanwhile. Nothing was saved; send /rules to start again.

rules-history-button = 🕘 History
rules-history = <b>Last rule versions</b>
    { $lines }
rules-history-line = #{ $version } · { $when } · { $who }
rules-history-config = config.toml

## The merchant's first week (issue 22)
rules-invalid-part = ⚠️ That value for <b>{ $field }</b> cannot be used: I could not read “{ $part }”. Nothing was changed; send another value or press Cancel.
