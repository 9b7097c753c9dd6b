# Messages the scheduler starts: expiry reminders, birthday bonus, tier review, campaign
# alerts, and the marketer's broadcast progress and delivery report.
# Sent with parse_mode=HTML: only Telegram's tags, and escape & < > as &amp; &lt; &gt;.

notice-expiry-reminder = ⏳ <b>{ $points ->
        [one] { $points } point expires
       *[other] { $points } points expire
    }</b> on { $date } ({ $days ->
        [one] in { $days } day
       *[other] within { $days } days
    }). Send /rewards to spend them before they are gone.
notice-birthday-bonus = 🎂 Happy birthday, { $name }! We added <b>{ $points ->
        [one] { $points } bonus point
       *[other] { $points } bonus points
    }</b> to your balance.
tier-downgraded = Your tier is now <b>{ $to_tier }</b> (it was { $from_tier }). Earn more points to move back up.
tier-upgraded = 🎉 You have reached <b>{ $tier }</b>!{ $has_perks ->
        [yes] { " " }What it gives you:
    { $perks }
       *[no] {""}
    }
notice-campaign-started = 🎉 <b>{ $name }</b> has started: { $kind ->
        [bonus] { $bonus } extra points on qualifying purchases
       *[multiplier] ×{ $multiplier } points on qualifying purchases
    }, until { $until }.
notice-campaign-ending = ⏰ Last chance: <b>{ $name }</b> ends on { $until }.

# The marketer's broadcast, as written (escaped, sent as plain text).
broadcast-text = { $text }

# The last line of every marketing message (scheduler/render.py adds it; at most 118
# characters: models/marketing/broadcasts.py keeps that room under Telegram's limits).
notice-marketing-footer = 🔕 Stop offers only: /stopoffers (receipts and reminders keep coming).
broadcast-progress = 📣 Broadcast #{ $id }: sending…
    { $bar } { $percent }%
    Sent { $sent } · blocked { $blocked } · failed { $failed } · left { $pending } of { $total }
broadcast-report = { $status ->
        [cancelled] ✋ Broadcast #{ $id } was cancelled.
       *[done] ✅ Broadcast #{ $id } is finished.
    }
    Recipients: { $total }
    Delivered: { $sent }
    Blocked the bot: { $blocked }
    Failed: { $failed }
    Not sent (cancelled): { $cancelled }
    Time taken: { $duration }
