# Personal offers: win-back offers, suggestions, targeted campaigns and their reports.

offers-winback = 👋 We miss you! A personal offer just for you: <b>×{ $multiplier } points</b> on your next purchase until { $until }. Just show your card at the till.

    To stop offers like this: /profile → 📣 Offers on/off.

offers-balance-suggest-now = 🎁 You can take <b>{ $name }</b> now: /rewards
offers-balance-suggest-next = 🎁 Next up: <b>{ $name }</b>, { $missing } points to go.
