# Marketer tools: campaigns, the rewards catalogue, coupon batches, referrals.
# Messages with HTML formatting are sent with parse_mode=HTML: escape & < > as &amp; &lt; &gt;.

marketing-cmd-campaign = Campaigns: double points days, multipliers, bonuses
marketing-cmd-reward = Rewards catalogue: add, edit, archive
marketing-cmd-coupons = Coupon batches with QR codes
marketing-cmd-claim = Claim a coupon code
marketing-cmd-invite = Invite a friend and earn bonus points

## shared words and buttons
marketing-all = all
marketing-all-day = All day
marketing-none = —
marketing-done = ✔️ Done
marketing-skip = Skip
marketing-same-name = Same as English
marketing-unlimited = Unlimited
marketing-no-limit = No limit
marketing-any-tier = Any tier
marketing-default = Default
marketing-bad-date = “{ $text }” is not a date. Please send it like { $example } (YYYY-MM-DD HH:MM, shop time).
marketing-weekday = { $day ->
        [0] Mon
        [1] Tue
        [2] Wed
        [3] Thu
        [4] Fri
        [5] Sat
       *[6] Sun
    }
marketing-preset-today = Today
marketing-preset-weekend = This weekend
marketing-preset-week = Next 7 days
marketing-preset-typed = ⌨️ Type dates

## /campaign
marketing-campaign-intro = 📣 Campaigns boost what members earn for a while: a multiplier (×2 points) or bonus points per purchase.
    When several campaigns apply to a purchase, the highest multiplier wins (they do not multiply each other) and bonuses add up.
    Members are told when a campaign starts and a day before it ends, if you leave announcements on.
marketing-campaign-new = ➕ New campaign
marketing-campaign-list = 📋 Campaigns
marketing-campaign-bad-name = Please send a name of 1 to { $limit } characters.
marketing-campaign-ask-kind = What kind of campaign?
marketing-campaign-kind-multiplier = ✖️ Multiplier
marketing-campaign-kind-bonus = ➕ Bonus points
marketing-campaign-ask-multiplier = By how much are points multiplied? Send a number like 2 or 1.5, or press a button.
marketing-campaign-bad-multiplier = “{ $text }” is not a multiplier I can use. Please send a number above 1 and at most { $max }, like 2 or 1.5.
marketing-campaign-ask-bonus = How many bonus points per qualifying purchase?
marketing-campaign-bad-bonus = “{ $text }” is not a number of points I can use. Please send a whole number from 1 to { $max }.
marketing-campaign-ask-window = When does it run?
marketing-campaign-ask-start = Send the start as YYYY-MM-DD HH:MM (shop time), e.g. { $example }, or the whole window as { $window }.
marketing-campaign-start-past = “{ $text }” has already passed (it is { $now } now). Please send a start from now on.
marketing-campaign-ask-end = Starts { $start }. Now send the end as YYYY-MM-DD HH:MM (a date alone means the end of that day).
marketing-campaign-ask-weekdays = On which weekdays? None chosen means every day.
marketing-campaign-ask-hours = Which hours of the day? Send them like 10-14 (from 10:00 until 14:00).
marketing-campaign-ask-tiers = For which tiers? None chosen means everyone.
marketing-campaign-ask-filter = Send the { $field ->
        [skus] SKUs
       *[categories] categories
    } it applies to, separated by commas, or “-” for all.
marketing-opt-weekdays = 📅 Weekdays
marketing-opt-hours = 🕘 Hours
marketing-opt-categories = 🏷 Categories
marketing-opt-skus = 🔢 SKUs
marketing-opt-name = ✏️ Name
marketing-opt-window = 🗓 When
marketing-opt-amount = ✖️ Amount
marketing-opt-tiers = 🎖 Tiers
marketing-filter-keep = Keep as typed
marketing-filter-unknown = ⚠️ No rule or purchase knows { $field ->
        [skus] the SKU
       *[categories] the category
    } “{ $unknown }”. Known: { $known }. Send them again, or keep them as typed.
marketing-opt-announce = 📢 Announce: { $on ->
        [yes] on
       *[no] off
    }
marketing-campaign-summary = <b>{ $name }</b>
    { $kind ->
        [bonus] +{ $bonus } points per purchase
       *[multiplier] ×{ $multiplier } points
    }
    From { $start } until { $end }
    Weekdays: { $weekdays } · hours: { $hours }
    Categories: { $categories } · SKUs: { $skus } · tiers: { $tiers }
    Announce: { $announce ->
        [yes] yes
       *[no] no
    }
marketing-campaign-review = Please check the campaign, add options if you like, then confirm:

    { $summary }
marketing-campaign-review-edit = ✏️ Editing campaign #{ $id }: change what you like, then confirm:

    { $summary }
marketing-campaign-invalid = { $field ->
        [names] The name is missing or too long.
        [multiplier] The multiplier must be above 1 and at most 10.
        [bonus] The bonus must be between 1 and 100000 points.
        [window] { $reason ->
            [end-before-start] The end must be after the start.
            [ended] That end is already in the past.
           *[other] A campaign can run for at most a year.
        }
        [weekdays] Those weekdays are not valid.
        [hours] Hours must look like 10-14, from 0 to 24, the first before the second.
        [filters] Too many or too long categories, SKUs or tiers.
       *[other] Something in the campaign is not valid.
    } Nothing was changed.
marketing-campaign-created = ✅ Campaign #{ $id } is saved. See it with /campaign → Campaigns.
marketing-campaign-edited = ✅ Campaign #{ $id } is changed. See it with /campaign → Campaigns.
marketing-campaign-none = There are no current or upcoming campaigns.
marketing-campaign-line = #{ $id } · { $status ->
        [active] active
        [paused] paused
       *[ended] ended
    } · { $summary }
marketing-campaign-pause = ⏸ Pause #{ $id }
marketing-campaign-resume = ▶️ Resume #{ $id }
marketing-campaign-end = ⏹ End #{ $id }
marketing-campaign-edit = ✏️ Edit #{ $id }
marketing-campaign-changed = Campaign #{ $id } is now { $status ->
        [active] active
        [paused] paused
       *[ended] ended
    }.
marketing-campaign-unknown = There is no campaign #{ $id }.
marketing-campaign-unchangeable = Campaign #{ $id } is { $status ->
        [active] active
        [paused] paused
       *[ended] ended
    } and cannot be changed that way. Nothing was changed.

## /reward
marketing-reward-intro = 🎁 The rewards catalogue members redeem their points for.
marketing-reward-add = ➕ Add reward
marketing-reward-list = 📋 Rewards
marketing-reward-ask-name-en = Name of the reward in English?
marketing-reward-ask-name-zh = Name in Chinese (中文)? Or use the same name.
marketing-reward-ask-desc-en = A short description in English? (or skip)
marketing-reward-ask-desc-zh = The description in Chinese (中文)? (or skip: the English one is used)
marketing-reward-ask-photo = Send a photo of the reward (or skip).
marketing-reward-ask-cost = How many points does it cost?
marketing-reward-ask-kind = What kind of reward is it?
marketing-reward-ask-stock = How many are in stock? Send a number, or press Unlimited.
marketing-reward-ask-limit = How many may one member redeem? Send a number, or press No limit.
marketing-reward-ask-tier = Which tier does a member need at least?
marketing-reward-ask-validity = For how many days is a voucher valid? Send a number, or press Default.
marketing-reward-photo-please = Please send a photo (or press Skip).
marketing-reward-bad-text = Please send a text of 1 to { $limit } characters.
marketing-kind-discount = 💸 Discount
marketing-kind-gift = 🎁 Gift
marketing-kind-service = 🛎 Service
marketing-reward-invalid = { $field ->
        [names] The name is missing or too long.
        [descriptions] The description is too long.
        [kind] Unknown kind of reward.
        [cost_points] The cost must be a whole number of points from 1 to 10000000.
        [stock] The stock must be a whole number from 0 to 10000000.
        [per_member_limit] The limit per member must be from 1 to 1000.
        [voucher_validity_days] Vouchers can be valid for 1 to 3650 days.
        [min_tier] Unknown tier.
       *[other] Something in the reward is not valid.
    } Nothing was changed.
marketing-reward-summary = <b>{ $name }</b>
    { $description }
    Cost: { $cost } points · kind: { $kind }
    Stock: { $stock } · per member: { $limit } · min tier: { $tier }
    Voucher valid (days): { $validity } · photo: { $photo ->
        [yes] yes
       *[no] no
    }
marketing-reward-review = Please check the reward, then confirm:

    { $summary }
marketing-reward-added = ✅ Reward #{ $id } is in the catalogue.
marketing-reward-none = The catalogue is empty. Add a reward first.
marketing-reward-line = #{ $id } <b>{ $name }</b> · { $cost } pts · stock { $stock }{ $archived ->
        [yes] {" "}· archived
       *[no] {""}
    }
marketing-reward-edit = ✏️ #{ $id }
marketing-reward-edit-stock = Stock
marketing-reward-edit-cost = Cost
marketing-reward-archive = 🗄 Archive
marketing-reward-restore = ♻️ Restore
marketing-reward-saved = ✅ Reward #{ $id } is saved.
marketing-reward-unknown = That reward does not exist (any more).

## /coupons
marketing-coupons-intro = 🎟 Pick a reward to generate coupons for (1 to { $max } at a time). Latest batches:
marketing-coupons-no-rewards = Add a reward first with /reward: coupons are claimed as vouchers for a reward.
marketing-coupons-ask-count = How many coupons for <b>{ $reward }</b>? (1 to { $max })
marketing-coupons-confirm = Generate { $count } coupons for <b>{ $reward }</b>? { $until }.
marketing-coupons-expiry = { $days ->
        [0] No expiry
       *[other] { $days } days
    }
marketing-coupons-valid-until = Valid until { $at }
marketing-coupons-no-expiry = Coupons never expire; a claimed voucher is valid { $days ->
        [one] { $days } day
       *[other] { $days } days
    } from its claim
marketing-coupons-bad-count = Please send a number from 1 to { $max }.
marketing-coupons-csv = Batch #{ $id }: all { $size } coupons (code and link).
marketing-coupons-sheet = Printable QR sheet: { $shown } of { $size } coupons. A sheet holds at most the first { $cap }; every code is in the CSV.
marketing-coupons-sheet-title = #{ $id } { $reward } · { $until }
marketing-coupons-sheet-until = Valid until { $date }
marketing-coupons-sheet-days = Valid { $days } days after claiming
marketing-coupons-batch-line = #{ $id } { $name }: { $size } coupons · { $claimed } claimed · { $used } used · { $until } · made { $created }

## claiming a coupon (members)
marketing-claim-usage = Send the code printed under the QR, like /claim K7QM-4PXD.
marketing-claim-done = 🎉 Coupon claimed: <b>{ $reward }</b>. Your voucher code is <code>{ $code }</code>, valid until { $until }. Show it with /vouchers.
marketing-claim-taken = { $mine ->
        [yes] You have claimed this coupon already: see /vouchers.
       *[no] Sorry, this coupon has already been claimed.
    }
marketing-claim-expired = Sorry, this coupon expired on { $on }.
marketing-claim-one-per-member = You already have a coupon from this batch: one per person.
marketing-claim-unavailable = Sorry, this reward is not available any more.
marketing-claim-unknown = I don't know that coupon code. Please check it and try again.

## referrals
marketing-invite = 🤝 Invite friends: share this link or let them scan the QR code.
    { $link }
    { $points ->
        [0] {""}
       *[other] When a friend makes their first purchase you get { $points } bonus points.
    }
marketing-invite-accepted = 👋 You were invited by { $name }. Welcome!
marketing-invite-own = That is your own invite link: share it with friends.
marketing-referral-rewarded = 🤝 Your friend { $friend } made their first purchase: you got <b>{ $points ->
        [one] { $points } bonus point
       *[other] { $points } bonus points
    }</b>. Balance: { $balance }.

## The merchant's first week (issue 22)
marketing-invite-staff = That is a member's invite link, for new customers: staff are not invited. To record a purchase, scan the member's membership card (/card in their chat).
marketing-campaign-ask-name-first = What is the campaign called? Send the name in { $language ->
        [en] English
       *[zh-Hans] Chinese (中文)
    } (up to 64 characters).
marketing-campaign-ask-name-second = And the name in { $language ->
        [en] English
       *[zh-Hans] Chinese (中文)
    }? Or press the button to use the same name.
marketing-same-name-as = Same as { $language ->
        [en] English
       *[zh-Hans] Chinese
    }
