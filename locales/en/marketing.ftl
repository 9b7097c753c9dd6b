# Marketer tools: campaigns, the rewards catalogue, coupon batches, referrals.
# Sent with parse_mode=HTML: escape & < > as &amp; &lt; &gt;.

marketing-referral-rewarded = 🤝 Your friend { $friend } made their first purchase: you got <b>{ $points ->
        [one] { $points } bonus point
       *[other] { $points } bonus points
    }</b>. Balance: { $balance }.
