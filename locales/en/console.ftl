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

# Rules
console-nav-rules = Rules
console-rules-version = Version { $version } is in force for every new purchase.
console-rules-field = Setting
console-rules-value = Value
console-rules-new-value = New value
console-rules-change = Change a setting
console-rules-preview = Preview
console-rules-save = Save as a new version
console-rules-readonly = Only admins may change the rules.
console-rules-tiers = Tiers
console-rules-tier = Tier
console-rules-threshold = From
console-rules-multiplier = Points ×
console-rules-history = Recent versions
console-rules-source = Saved by
console-rules-config = config.toml
console-rules-change-line = { $field }: { $old } → { $new }
console-rules-example = Example: { $amount } in { $category } by a { $tier } member earns { $before ->
        [-1] nothing
       *[other] { $before } points
    } now, { $after ->
        [-1] nothing
       *[other] { $after } points
    } after the change.
console-rules-unreadable = Choose a setting and type a value.
console-error-invalid-rule = That value for { $label } cannot be used: { $problem ->
        [too-small] it must be at least { $limit }.
        [too-large] it must be at most { $limit }.
        [not-above] it must be more than { $limit }.
        [conflict] it clashes with the other rules (for example, tier thresholds must increase from tier to tier).
        [unknown-field] this setting no longer exists.
       *[format] it could not be read.
    } Nothing was changed.
console-error-rules-stale = The rules were changed by someone else meanwhile. Nothing was saved; reload the page and try again.

# Campaigns
console-nav-campaigns = Campaigns
console-campaigns-new = New campaign
console-campaign-name-en = Name (English)
console-campaign-name-zh = Name (Chinese)
console-campaign-kind = Kind
console-campaign-multiplier = Multiplier
console-campaign-bonus = Bonus points
console-campaign-starts = Starts
console-campaign-ends = Ends
console-campaign-audience = Audience
console-campaign-tiers = Tiers (keys, separated by commas)
console-campaign-segment = RFM segment
console-campaign-days = Days
console-campaign-category = Category
console-campaign-codes = Member codes or phone numbers, separated by commas
console-campaign-mode = Membership
console-campaign-control = Control group (%)
console-campaign-create = Create campaign
console-campaign-count = { $size } members in this audience now.
console-campaign-count-everyone = Every member.
console-campaign-count-unknown = { $count } unknown member codes will be ignored.
console-campaign-count-unread = Could not read (not a phone number, or nobody has it): { $entries }
console-campaign-lift = Bought: { $targeted } of { $members } targeted, { $control } of { $control_members } in the control group (lift { $lift } ‰)
console-campaign-pause = Pause
console-campaign-resume = Resume
console-campaign-end = End now
console-campaign-status-active = running
console-campaign-status-paused = paused
console-campaign-status-ended = ended
console-campaign-window = { $start } → { $end }
console-campaigns-none = No campaigns yet.
console-error-invalid-campaign = The campaign cannot be saved: { $field ->
        [names] give it a name.
        [multiplier] the multiplier must be more than 1 and at most 10, with up to two decimals.
        [bonus] the bonus must be a positive number of points.
        [window] { $reason ->
            [ended] it would already be over.
            [too-long-window] it may last at most a year.
           *[end-before-start] it must end after it starts.
        }
       *[other] check { $field }.
    } Nothing was saved.
console-error-invalid-audience = This audience cannot be used: check { $field ->
        [tiers] the tiers
        [segment] the segment
        [category] the category
        [days] the number of days
        [codes] the member codes
        [control] the control share (0 to 50%)
       *[other] { $field }
    }. Nothing was saved.
console-error-empty-audience = Nobody is in this audience now, so it cannot be used. Nothing was saved.
console-error-campaign-not-found = There is no such campaign.
console-error-campaign-not-changeable = This campaign is { $state } and cannot be changed that way.

## broadcasts
console-nav-broadcasts = Broadcasts
console-broadcast-consent = Broadcasts reach only members who agreed to receive offers and have not blocked the bot; each member gets the version in their language, with the line on how to stop offers.
console-broadcast-new = New broadcast
console-broadcast-text-en = Message in English
console-broadcast-text-zh = Message in Chinese (optional: Chinese readers get the English one without it)
console-broadcast-button-text = Button text (optional)
console-broadcast-button-url = Button link
console-broadcast-value = Tier, language, days or least spend
console-broadcast-when = Send at ({ $tz }; empty: now)
console-broadcast-send = Send or schedule
console-broadcast-count = { $count ->
        [one] { $count } member will receive it.
       *[other] { $count } members will receive it.
    }
console-broadcast-preview = As members reading { $lang ->
        [zh-Hans] Chinese
       *[other] English
    } get it
console-broadcasts-none = No broadcasts yet.
console-broadcast-progress = Sent { $sent } · failed { $failed } · remaining { $remaining } of { $total }
console-broadcast-cancel = Cancel (undelivered messages)
console-broadcast-status-draft = draft
console-broadcast-status-scheduled = scheduled
console-broadcast-status-sending = sending
console-broadcast-status-done = done
console-broadcast-status-cancelled = cancelled
console-error-invalid-broadcast = The broadcast cannot be sent: { $field ->
        [text_en] { $reason ->
            [empty] write the message.
           *[other] the English message must be at most { $limit } characters.
        }
        [text_zh] the Chinese message must be at most { $limit } characters.
        [button_text] the button needs a text (at most 64 characters) and a link.
        [button_url] the button's link must be an https:// address.
        [scheduled_at] { $reason ->
            [past] that time has passed.
           *[other] the time must be a date and time.
        }
        [value] { $reason ->
            [tier] choose a tier.
            [language] choose a language (en or zh-Hans).
            [days] give a number of days (1–3,650).
           *[other] give an amount.
        }
       *[other] check { $field }.
    } Nothing was sent.
console-error-broadcast-not-found = There is no such broadcast.
console-error-broadcast-not-cancellable = This broadcast is { $state } and can no longer be cancelled.

## rewards and coupons
console-nav-rewards = Rewards
console-nav-coupons = Coupons
console-reward-new = New reward
console-reward-name-en = Name in English
console-reward-name-zh = Name in Chinese
console-reward-description-en = Description in English
console-reward-description-zh = Description in Chinese
console-reward-kind = Kind
console-reward-cost = Cost in points
console-reward-stock = Stock (empty: unlimited)
console-reward-limit = Per member (empty: no limit)
console-reward-tier = Lowest tier
console-reward-validity = Voucher valid days (empty: default)
console-reward-add = Add reward
console-reward-save = Save
console-reward-edit = Edit
console-reward-disable = Disable
console-reward-restore = Restore
console-reward-archived = disabled
console-reward-move-up = Move up
console-reward-move-down = Move down
console-reward-line = { $cost } points · stock { $stock } · per member { $limit } · tier { $tier }
console-reward-photo = Photo (JPEG, PNG or WebP, at most { $mb } MB)
console-reward-upload = Upload photo
console-reward-photo-telegram = Photo in Telegram
console-reward-photo-none = No photo
console-rewards-none = No rewards yet.
console-coupons-new = New coupon batch
console-coupons-reward = Reward
console-coupons-count = How many (1–{ $max })
console-coupons-expiry = Coupons expire
console-coupons-create = Generate coupons
console-coupons-none = No coupon batches yet.
console-coupons-size = Coupons
console-coupons-claimed = Claimed
console-coupons-used = Used
console-coupons-until = Valid
console-coupons-csv = CSV
console-coupons-sheet = Printable sheet
console-coupons-sheet-note = { $shown } of { $size } coupons on this sheet (at most the first { $cap }; every code is in the CSV). Print it from the browser, then cut along the lines.
console-error-invalid-reward = The reward cannot be saved: { $field ->
        [names] { $reason ->
            [empty] give it a name.
           *[other] a name must be at most 64 characters.
        }
        [descriptions] a description must be at most 500 characters.
        [cost_points] the cost must be 1 to 10,000,000 points.
        [stock] the stock must be 0 to 10,000,000 (empty: unlimited).
        [per_member_limit] the limit per member must be 1 to 1,000.
        [voucher_validity_days] a voucher must be valid 1 to 3,650 days.
        [min_tier] choose a tier that exists.
        [kind] choose a kind.
       *[other] check { $field }.
    } Nothing was saved.
console-error-reward-not-found = There is no such reward.
console-error-reward-cannot-move = This reward is already { $direction ->
        [up] first
       *[other] last
    } in the catalogue.
console-error-invalid-photo = The photo was not accepted: { $reason ->
        [size] it is larger than 5 MB.
        [pixels] it has too many pixels.
        [type] only JPEG, PNG and WebP pictures are taken.
       *[other] it could not be read as a picture.
    } Nothing was saved.
console-error-invalid-batch-size = A batch holds 1 to { $maximum } coupons. Nothing was made.
console-error-reward-unavailable = That reward is disabled or gone. Nothing was made.
console-error-batch-not-found = There is no such coupon batch.

## People and integrations (api/console/people.py, integrations.py, audit_log.py)
console-nav-people = People
console-nav-integrations = Integrations
console-nav-audit = Audit log
console-people-intro = Everyone with a role at the shop. An invite is a one-time link: whoever opens it first, before it expires, gets the role.
console-people-staff = Staff
console-people-name = Name
console-people-role = Role
console-people-location = Location
console-people-role-admin = Admin
console-people-role-marketer = Marketer
console-people-role-staff = Cashier
console-people-configured = Set in the configuration
console-people-revoke = Revoke
console-people-revoke-confirm = Take the role { $role } away from { $name }? They are signed out of the console at once.
console-people-invite = Invite someone
console-people-invite-button = Create invite
console-people-qr = Invite QR code: scan it with the phone's camera
console-people-invite-until = Valid until { $when }, once.
console-people-no-invites = No open invites.
console-keys = API keys
console-keys-prefix = Prefix
console-keys-name = Name
console-keys-created = Created
console-keys-last-used = Last used
console-keys-revoked = Revoked { $when }
console-keys-revoke = Revoke
console-keys-revoke-confirm = Revoke the key “{ $name }”? Tills using it stop working at once.
console-keys-create = Create key
console-keys-secret-once = Copy this key now: it is shown only this once.
console-webhooks = Webhooks
console-webhooks-url = URL
console-webhooks-events = Events
console-webhooks-all = All events
console-webhooks-delivered = Delivered
console-webhooks-pending = Pending
console-webhooks-failed = Failed
console-webhooks-disabled = Disabled
console-webhooks-disable = Disable
console-webhooks-disable-confirm = Stop sending to { $url }? Deliveries not yet sent are cancelled.
console-webhooks-add = Add endpoint
console-webhooks-secret-once = The signing secret, shown only this once:
console-webhooks-log = Delivery log
console-webhooks-event = Event
console-webhooks-attempts = Attempts
console-webhooks-last-error = Last error
console-webhooks-resend = Resend
console-audit-actor = Who (name or Telegram id)
console-audit-from = From
console-audit-to = To
console-audit-search = Search
console-audit-target = Target
console-audit-bad-query = The search cannot be read: check “{ $field }”.
console-error-not-staff = That person has no role.
console-error-configured-admin = This admin is set in the configuration file and cannot be revoked here.
console-error-last-admin = This is the last admin: nobody could manage roles after. Nothing was changed.
console-error-key-not-found = There is no such live API key.
console-error-invalid-key-name = The key's name cannot be used ({ $reason }). Nothing was saved.
console-error-webhook-not-found = There is no such webhook endpoint.
console-error-invalid-webhook-url = That URL cannot receive webhooks ({ $reason ->
    [scheme] it must start with https:// or http://
    [host] it has no host
    [too-long] it is too long
    [credentials] it must not hold a user name or password
    [private] it points at a private or local address
    [unresolvable] its host cannot be found
   *[other] { $reason }
    }). Nothing was saved.
console-error-delivery-not-found = There is no such delivery, or its endpoint is disabled.

## Rules forms (api/console/rules_forms.py)
console-rules-form-multipliers = Category and SKU multipliers
console-rules-form-usage = Using points
console-rules-form-tiers = Tiers
console-rules-form-events = Points for events from other systems
console-rules-form-bonuses = Bonuses in the bot
console-rules-form-hint-multipliers = Empty a row's name to remove it; fill an empty row to add one.
console-rules-form-hint-usage = The share is the most of a bill that points may pay, in percent; 0 redemptions a day means no limit.
console-rules-form-hint-tiers = Separate perks with |. The review period is how many days of activity decide the tier.
console-rules-form-hint-events = Empty a type to remove its rule. Caps of 0 mean none; dates are inclusive; no channels means every channel.
console-rules-form-hint-bonuses = Points paid once per member; 0 turns a bonus off.
console-rules-input-row = { $label } (row { $row })
console-rules-input-tier = { $tier }: { $label }
console-rules-input-cat-key = Category
console-rules-input-cat-mult = Category multiplier
console-rules-input-sku-key = SKU
console-rules-input-sku-mult = SKU multiplier
console-rules-input-refund = Refund of spent points
console-rules-input-pay = Points as payment
console-rules-input-share = Most of a bill paid with points (%)
console-rules-input-minr = Minimum redemption (points)
console-rules-input-maxday = Redemptions per day (0 = no limit)
console-rules-input-window = Review period (days)
console-rules-input-t-name-en = Name (English)
console-rules-input-t-name-zh = Name (Chinese)
console-rules-input-t-perks-en = Perks (English)
console-rules-input-t-perks-zh = Perks (Chinese)
console-rules-input-t-thr = From
console-rules-input-t-mult = Points ×
console-rules-input-ev-type = Event type
console-rules-input-ev-points = Points
console-rules-input-ev-day = Cap per day
console-rules-input-ev-total = Cap in total
console-rules-input-ev-from = Valid from
console-rules-input-ev-to = Valid to
console-rules-input-ev-channels = Channels
console-rules-input-b-joined = Joining
console-rules-input-b-profile = Completing the profile
console-rules-input-b-offers = Opting in to offers
console-rules-input-b-miniapp = First Mini App visit
console-rules-refund-allow-negative = Take them back (the balance may go below zero)
console-rules-refund-clamp-to-zero = Take back what is left (never below zero)
console-rules-on = On
console-rules-off = Off
console-rules-no-change = Nothing changes.
