# Reports: /report summary, chart labels, export headers, segments.

reports-period-invalid = I don't understand the period “{ $text }”. Try today, 7d, 30d, month, last-month or 2026-01-01..2026-01-31 (at most two years).

reports-summary =
    📊 Report { $period }{ $has_location ->
        [yes] {" "}· { $location }
       *[no] {""}
    }

    👥 New members: { $new_members }{ $new_members_change }
    🛒 Active members: { $active_members }{ $active_members_change }
    🧾 Purchases: { $purchases }{ $purchases_change }
    💰 Sales: { $sales }{ $sales_change }
    ↩️ Refunded: { $refunded }{ $refunded_change }
    🎯 Average ticket: { $average_ticket }{ $average_ticket_change }

    ⭐ Points issued: { $points_issued }{ $points_issued_change }
    🎁 Points redeemed: { $points_redeemed }{ $points_redeemed_change }
    ⌛ Points expired: { $points_expired }{ $points_expired_change }
    ✏️ Points adjusted: { $points_adjusted }{ $points_adjusted_change }
    📈 Redemption rate: { $redemption_rate } · Breakage: { $breakage }
    🏦 Outstanding: { $liability_points } points = { $liability_money }{ $liability_points_change }

    🏅 Tiers: { $tiers }

    Top rewards:
    { $top_rewards }

    Top members:
    { $top_members }

    Campaigns (before → during):
    { $campaigns }

reports-segments =
    Member segments
    🏆 { reports-segment-champions }: { $champions }
    💎 { reports-segment-loyal }: { $loyal }
    🌱 { reports-segment-promising }: { $promising }
    👀 { reports-segment-need-attention }: { $need_attention }
    ⚠️ { reports-segment-at-risk }: { $at_risk }
    💤 { reports-segment-hibernating }: { $hibernating }
    🆕 { reports-segment-new }: { $new }
    ⭕ { reports-segment-inactive }: { $inactive }

reports-segment-champions = Champions
reports-segment-loyal = Loyal
reports-segment-promising = Promising
reports-segment-need-attention = Need attention
reports-segment-at-risk = At risk
reports-segment-hibernating = Hibernating
reports-segment-new = New
reports-segment-inactive = No purchase this year

reports-chart-points-title = Points per day
reports-chart-points-axis = Points
reports-chart-issued = Issued
reports-chart-redeemed = Redeemed
reports-chart-expired = Expired
reports-chart-tiers-title = Members by tier
reports-chart-members-axis = Members
reports-chart-sales-title = Sales per day
reports-chart-sales-axis = Sales ({ $currency })
reports-chart-regular-day = Regular day
reports-chart-campaign-day = Campaign day

reports-export-yes = yes
reports-export-no = no

reports-col-id = ID
reports-col-time = Time
reports-col-member = Member code
reports-col-name = Name
reports-col-kind = Kind
reports-col-points = Points
reports-col-balance = Balance
reports-col-receipt = Receipt
reports-col-voucher = Voucher
reports-col-reason = Reason
reports-col-channel = Channel
reports-col-order = Order ID
reports-col-amount = Amount
reports-col-refunded = Refunded
reports-col-currency = Currency
reports-col-category = Category
reports-col-location = Location
reports-col-points-reversed = Points reversed
reports-col-first-name = First name
reports-col-last-name = Last name
reports-col-username = Username
reports-col-phone = Phone
reports-col-language = Language
reports-col-tier = Tier
reports-col-opt-in = Marketing opt-in
reports-col-reachable = Reachable
reports-col-joined = Joined
reports-col-last-purchase = Last purchase
reports-col-reward = Reward
reports-col-status = Status
reports-entry-earn = Earned
reports-entry-bonus = Bonus
reports-entry-redeem = Redeemed
reports-entry-expire = Expired
reports-entry-adjust = Adjusted
reports-entry-reverse = Reversed
reports-entry-opening = Brought over
reports-voucher-issued = Issued
reports-voucher-redeemed = Redeemed
reports-voucher-expired = Expired
reports-voucher-voided = Voided
reports-col-issued = Issued
reports-col-valid-until = Valid until
reports-col-redeemed = Redeemed
reports-col-purchases = Purchases
reports-col-spend = Spend
reports-col-recency = R
reports-col-frequency = F
reports-col-monetary = M
reports-col-segment = Segment

# The chat face: /report, its buttons and the weekly report.

reports-cmd-report = Report: figures, charts, segments, exports
reports-progress = ⏳ Preparing the report { $period }… { $done }/{ $total }
reports-actions = What next?
reports-button-segments = 👥 Segments (RFM)
reports-button-at-risk = ⚠️ At-risk members
reports-button-export = 📤 Export ▸
reports-export-button = { $kind } · { $format }
reports-export-kind-ledger = Ledger
reports-export-kind-purchases = Purchases
reports-export-kind-members = Members
reports-export-kind-vouchers = Vouchers
reports-export-kind-segments = Segments
reports-export-preparing = ⏳ Preparing { $kind } ({ $format })…
reports-export-ready = ✅ { $kind }: { $rows ->
    [one] { $rows } row
   *[other] { $rows } rows
}.
reports-export-filename = jifen-{ $kind }-{ $period }.{ $ext }
reports-at-risk =
    ⚠️ At-risk members: { $count }
    They bought within the last year but not in the last 60 days, and can still be reached.
    Send /broadcast and choose the audience “At risk (gone quiet)” to win them back.
reports-weekly-usage = Send /report weekly on to get last week's report every week, or /report weekly off to stop it.
reports-weekly-on = ✅ You will get the weekly report ({ $schedule }).
reports-weekly-off = The weekly report is off.
reports-weekly =
    🗓 Your weekly report

    { reports-summary }
reports-album-caption = 📊 { $period }: sales { $sales } · { $purchases ->
        [one] { $purchases } purchase
       *[other] { $purchases } purchases
    } · { $new_members } new members · { $points_issued } points issued, { $points_redeemed } redeemed
