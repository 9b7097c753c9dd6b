# The back-office console (/console/) and the /console command.

console-cmd-console = Console in a browser: a one-time login link
console-chat-link = Open the console (valid { $minutes } minutes, once; do not share it):
    { $url }
console-chat-logged-out = { $sessions ->
    [0] You had no console session open.
    [one] Logged out of the console (1 session ended).
   *[other] Logged out of the console ({ $sessions } sessions ended).
}
console-chat-unavailable = The console is not reachable yet: the shop's public address (bot.public_url) is not set.
miniapp-console-entry = Console

console-title = Console
console-logout = Log out
console-role-admin = admin
console-role-marketer = marketer
console-nav-dashboard = Dashboard
console-nav-members = Members

console-error-title = Not available
console-how-to-log-in = Send /console to the bot in Telegram to get a login link (admins and marketers).
console-error-forbidden = This page is for the shop's admins and marketers.
console-error-admins-only = Only admins may do this.
console-error-csrf = This page is out of date. Reload it and try again.
console-error-cross-site = Refused: the request did not come from the console itself.
console-error-insufficient-points = Not enough points: the member has { $balance }.
console-error-invalid-cursor = That page of results no longer exists. Search again.
console-error-link-used = This login link has been used, has expired or is no longer valid. Send /console again.
console-login-title = Logging in…
console-login-continue = Continue to the console

console-period = Period: { $period }
console-period-choose = Choose a period
console-period-range = Period (7d, month or 2026-01-01..2026-01-31)
console-period-today = Today
console-period-7d = 7 days
console-period-30d = 30 days
console-period-90d = 90 days
console-period-month = This month
console-period-last-month = Last month
console-show = Show
console-current = This period
console-previous = Previous period
console-fig-sales = Sales
console-fig-purchases = Purchases
console-fig-average-ticket = Average ticket
console-fig-points-issued = Points issued
console-fig-points-redeemed = Points redeemed
console-fig-points-expired = Points expired
console-fig-liability = Points outstanding
console-fig-new-members = New members
console-fig-active-members = Active members
console-chart-sales = Sales by day, against the previous period
console-chart-points = Points by day
console-chart-compare = This period and the previous one
console-chart-tiers = Members by tier
console-chart-lift = Targeted campaigns: buyers among targeted, control and the same members before
console-lift-targeted = Targeted
console-lift-control = Control group
console-lift-previous = Same members, period before
console-lift-rate = Bought (%)
console-lift-none = No targeted campaign ran in this period.

console-search = Search
console-search-hint = Name, phone, member code or external id
console-search-button = Search
console-filter-tier = Tier
console-filter-segment = Segment
console-filter-visit = Last visit
console-filter-days = Days
console-any = Any
console-visit-within = Bought within the days
console-visit-over = Not for the days
console-visit-never = Never bought
console-sort = Sort by
console-sort-joined = Joined
console-sort-name = Name
console-sort-balance = Balance
console-sort-last-purchase = Last purchase
console-order = Order
console-order-desc = Descending
console-order-asc = Ascending
console-col-code = Code
console-col-name = Name
console-col-tier = Tier
console-col-balance = Balance
console-col-phone = Phone
console-col-last-purchase = Last purchase
console-no-members = No members match.
console-more = More
console-export-csv = Export CSV
console-export-xlsx = Export XLSX

console-expiring = { $points } points expire on { $date }
console-tier-progress = { $basis ->
    [spend] { $needed } (minor units of spend) to { $tier }
   *[other] { $needed } qualifying points to { $tier }
}
console-consent = Consent
console-consent-marketing = Offers and news
console-consent-notifications = Reminders
console-consent-reachable = Reachable in Telegram
console-yes = yes
console-no = no
console-profile = Profile
console-external-id = External id
console-joined = Joined
console-adjust-title = Adjust points
console-adjust-points = Points (+ or −)
console-adjust-reason = Reason (the member sees it)
console-adjust-button = Adjust…
console-adjust-confirm = Adjust { $points } points for { $name }: balance { $before } → { $after }?
console-confirm = Confirm
console-cancel = Cancel
console-history = History
console-history-earn = Purchase { $amount } (receipt { $receipt })
console-history-bonus = { $bonus ->
    [birthday] Birthday bonus
    [referral] Referral bonus
    [campaign] Campaign bonus
   *[other] Bonus ({ $reason })
}
console-history-redeem = Redeemed “{ $reward }”
console-history-expire = Expired
console-history-adjust = Adjusted: { $reason }
console-history-reverse = Reversed (receipt { $receipt }, voucher “{ $reward }”)
console-history-opening = Balance brought over
console-newer = Newer
console-older = Older
console-page = Page { $page } of { $pages }
console-lots = Points and when they expire
console-lot-points = Points
console-lot-remaining = Left
console-lot-expires = Expires
console-never = never
console-none = Nothing yet.
console-purchases = Purchases
console-when = When
console-receipt = Receipt
console-amount = Amount
console-vouchers = Vouchers
console-voucher = Voucher
console-reward = Reward
console-status = Status
console-valid-until = Valid until
console-audit = Audit trail
console-action = Action
console-by = By
