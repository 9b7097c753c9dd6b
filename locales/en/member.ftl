# The member's bot: joining, balance, history, card, rewards, vouchers, profile, privacy.
member-cmd-balance = My points and tier
member-cmd-card = My membership card (QR)
member-cmd-rewards = Rewards catalogue
member-cmd-vouchers = My vouchers
member-cmd-history = Points history
member-cmd-profile = My profile and notifications
member-cmd-language = Change language
member-cmd-privacy = Export or delete my data
member-cmd-stopoffers = Stop offers (receipts and reminders keep coming)

member-menu-balance = 💰 Balance
member-menu-card = 🪪 Card
member-menu-rewards = 🎁 Rewards
member-menu-vouchers = 🎟 Vouchers
member-menu-history = 📜 History
member-menu-profile = 👤 Profile
member-menu-shown = Here is your menu. What would you like to do?

member-welcome = Welcome to <b>{ $shop }</b>, { $name }! 🎉
    You earn points on every purchase and can swap them for rewards.
    Please share your phone number so the shop can find you at the till (tap the button below). Send /language to switch language.
member-share-phone = 📱 Share my phone number
member-skip-phone = Skip for now
member-contact-not-yours = That is someone else's contact. Please share your own number with the button below.
member-phone-saved = Thanks! Your phone number { $phone } is saved.
member-consent-ask = May we send you news about offers and double-points days? You can change this any time in /profile.
member-consent-yes = 👍 Yes, please
member-consent-no = No, thanks
member-consent-given = You will get our offers. 👍
member-consent-declined = No offers, understood. You will still get receipts and reminders.

member-language-ask = Choose your language:
member-language-set = Language set to English.

member-balance = 💰 You have <b>{ $points }</b> points.
    Tier: <b>{ $tier }</b>
member-balance-next-points = { $points } more qualifying points to reach { $tier }.
member-balance-next-spend = Spend { $amount } more to reach { $tier }.
member-balance-negative = ↩️ Below zero because a refunded purchase took back points you had already used. Your next { $points } points make up for it.
member-balance-top = You are at the top tier. 🏆
member-balance-expiring = ⏳ { $points } points expire on { $date }.

member-history-title = 📜 <b>Your points history</b>
member-history-empty = No points yet. Show your /card at the till to start earning.
member-history-earn = { $date } · purchase { $amount } → <b>{ $points }</b> (receipt { $receipt })
    { $how }
member-history-redeem = { $date } · redeemed “{ $reward }” <b>{ $points }</b>
member-history-expire = { $date } · expired <b>{ $points }</b>
member-history-adjust = { $date } · adjusted <b>{ $points }</b> ({ $reason })
member-history-bonus = { $date } · { $reason ->
    [birthday] birthday bonus
    [referral] referral bonus
    [campaign] campaign bonus
   *[other] bonus
} <b>{ $points }</b>
member-history-refund = { $date } · refund of receipt { $receipt } <b>{ $points }</b>
member-history-voided = { $date } · voucher “{ $reward }” cancelled, points returned <b>{ $points }</b>

member-card = 🪪 <b>{ $name }</b>
    Member code: <code>{ $code }</code>
    Tier: { $tier }
    Show this QR code at the till to earn points.
member-card-regenerate = 🔄 New QR code
member-card-regenerate-ask = Make a new card QR code? The old one will stop working at once (use this if someone else has a photo of it).
member-card-regenerated = Done: your old card QR code no longer works. Here is the new one.

member-rewards-title = 🎁 <b>Rewards</b> (you have { $balance } points)
member-rewards-empty = There are no rewards for you right now. Please check again later.
member-rewards-line = { $mark } { $name } — { $cost } points · { $stock }
member-reward-stock = { $stock } left
member-reward-stock-unlimited = available
member-reward-details = 🎁 <b>{ $name }</b>
    { $description }
    Cost: <b>{ $cost }</b> points · { $stock }
    Your balance: { $balance } points
member-reward-to-go = 🔒 { $missing } to go
member-reward-missing = You need <b>{ $missing }</b> more points for this reward. Every purchase brings you closer.
member-reward-redeem = Redeem
member-redeem-ask = Redeem “{ $name }” for <b>{ $cost }</b> points? You have { $balance }.
member-redeem-done = ✅ Redeemed “{ $name }” for { $cost } points. Balance: { $balance }. Your voucher is below.
member-redeem-short = Not enough points: you need { $short } more (you have { $balance }). Nothing was deducted.
member-redeem-out-of-stock = Sorry, this reward is out of stock. Nothing was deducted.
member-redeem-tier = This reward is for { $tier } members and above. Nothing was deducted.
member-redeem-limit = { $period ->
    [day] You can redeem at most { $limit } rewards a day.
   *[member] You already have the most of this reward allowed ({ $limit }).
} Nothing was deducted.
member-redeem-minimum = Redemptions start at { $minimum } points. Nothing was deducted.
member-redeem-unavailable = This reward is no longer available.

member-voucher = 🎟 <b>{ $reward }</b>
    Code: <code>{ $code }</code>
    Valid until { $until }. Show this QR code at the till.
member-vouchers-none = You have no vouchers yet. See /rewards.
member-vouchers-summary = 🎟 Active vouchers: { $active }
member-vouchers-used = ✔️ { $reward } (<code>{ $code }</code>) used on { $date }
member-vouchers-expired = ✖️ { $reward } (<code>{ $code }</code>) expired { $date }

member-profile = 👤 <b>{ $name }</b> (<code>{ $code }</code>)
    Phone: { $phone }
    Birthday: { $birthday }
    Language: { $language }
    Reminders: { $notifications }
    Offers: { $marketing }
member-profile-unset = not set
member-profile-on = on
member-profile-off = off
member-profile-toggle-notifications = 🔔 Reminders on/off
member-profile-toggle-marketing = 📣 Offers on/off
member-profile-language = 🌐 Language
member-profile-set-birthday = 🎂 Set birthday
member-offers-stopped = 🔕 Done: no more offers. Receipts and reminders keep coming. Changed your mind? /profile → 📣 Offers on/off.
member-birthday-ask = Send your birthday as YYYY-MM-DD or MM-DD (e.g. 1990-05-17 or 05-17). It can be set once.
member-birthday-invalid = { $reason ->
    [future] That date is in the future. Please send your birthday again.
    [already-set] Your birthday is already set. Ask the shop staff if it needs correcting.
   *[format] I could not read that date. Please send it as YYYY-MM-DD or MM-DD.
}
member-birthday-saved = 🎂 Birthday saved: { $birthday }.

member-privacy = 🔒 Your data: you can download everything we keep about you, or delete your account.
member-privacy-export = 📦 Export my data
member-privacy-delete = 🗑 Delete my account
member-privacy-exported = Here is everything we keep about you.
member-privacy-delete-ask = Delete your account? Your name, phone, birthday and Telegram link are erased and your points are lost. This cannot be undone.
member-privacy-delete-confirm = 🗑 Yes, delete
member-privacy-deleted = Your account was deleted.
member-privacy-goodbye = Goodbye! Send /start if you ever want to join again.

## staff at /start: their own home; members only if they join
member-staff-home = 👋 Hello { $name }! Your role here: <b>{ $role }</b> at { $shop }. /help lists everything you can do.
member-staff-first-staff = <b>First:</b> when a customer pays, scan their membership card with your phone's camera (or send /checkout with their phone or member code), type the amount and press Confirm. Vouchers: scan them or send /redeem CODE.
member-staff-first-marketer = <b>First:</b> /campaign starts a double-points day, /reward fills the catalogue, /coupons makes coupon codes, /broadcast writes to members and /report shows how it goes.
member-staff-first-admin = <b>First:</b> /staff invite cashier adds a cashier (they scan the QR), /rules sets how purchases earn points; everything cashiers and marketers do is yours too.
member-staff-home-join = Staff are not members. To collect points yourself, join as a member.
member-staff-home-member = You are also a member: /balance, /card and /rewards are yours too.
member-staff-join = Join as a member
member-staff-joined = ✅ You joined as a member.
member-staff-not-member = That is a member command, and you are not a member (yet).
member-phone-skipped = No problem: you can share your number later in /profile.
member-contact-hint = Tap “📱 Share my phone number” below, or type your number (like 138 0013 8000), or tap “Skip for now”.
member-phone-typed-taken = That number belongs to a membership already. To link it to you, tap “📱 Share my phone number” below: Telegram shows the shop it is yours.
