## stamp cards (models/stamps): the member, the till, the marketer

stamps-member = 🎟 <b>{ $name }</b>: { $cups }
    { $filled ->
        [0] +{ $added ->
            [one] { $added } stamp
           *[other] { $added } stamps
        }. Keep going!
       *[other] 🎉 Your card is full! { $reward ->
            [points] +{ $points } points are in your balance.
           *[voucher] Your reward voucher: <b>{ $codes }</b> (see /vouchers).
        }
    }
till-stamps-line = 🎟 { $name }: +{ $added } · { $cups } { $stamps }/{ $needed }{ $filled ->
        [0] {""}
       *[other] {" "}🎉 full
    }
member-card-stamps = 🎟 { $name }: { $cups }
member-card-stamps-ready = 🎁 { $name }: your reward is waiting, see /vouchers.

## the marketer's /stampcards
marketing-cmd-stampcards = Stamp cards (buy 9, the 10th is free)
stampcards-intro = 🎟 <b>Stamp cards</b>: a stamp per purchase (or per item); a full card gives a reward.
stampcards-none = No stamp cards yet.
stampcards-line = • <b>{ $name }</b> { $cups } ({ $needed }) → { $gives } · { $status ->
        [active] active
       *[paused] paused
    }
stampcards-gives-points = { $points } points
stampcards-pause = ⏸ Pause { $name }
stampcards-resume = ▶️ Resume { $name }
stampcards-paused = ⏸ { $name } is paused: no new stamps. Cards in progress keep theirs.
stampcards-resumed = ▶️ { $name } collects stamps again.
stampcards-new = ➕ New stamp card
stampcards-ask-name = What is the card called? (e.g. Coffee card)
stampcards-ask-needed = How many stamps fill a card? (e.g. 10: buy 9, the 10th is free)
stampcards-ask-per = One stamp per purchase, or one per item?
stampcards-ask-earns = What earns a stamp? Send a category (e.g. coffee), sku:CODE for one product, or a minimum amount (e.g. 20). Or press Any purchase.
stampcards-ask-reward = What does a full card give? Press a reward (its voucher is free), or send a number of points.
stampcards-ask-limits = How long does a card in progress live, and how many stamps a day at most? Send days and stamps per day, e.g. 90 1 (0 for no end). Or press No limits.
stampcards-per-purchase = Per purchase
stampcards-per-item = Per item
stampcards-any = Any purchase
stampcards-no-limits = No limits
stampcards-press-a-button = Please press one of the buttons above.
stampcards-bad-name = Send a name of up to 64 characters.
stampcards-bad-needed = Send a whole number from 2 to { $max }.
stampcards-bad-earns = Send a category, sku:CODE or an amount such as 20.
stampcards-bad-reward = Press a reward, or send a number of points from 1 to 1,000,000.
stampcards-bad-limits = Send days and stamps per day as two numbers, e.g. 90 1, or press No limits.
stampcards-confirm = Create this stamp card?
    🎟 <b>{ $name }</b> { $cups }
    { $needed } stamps, one per { $per ->
        [item] item
       *[purchase] purchase
    } · earns: { $earns }
    Full card gives: { $gives }
    { $days ->
        [0] Cards never expire
       *[other] A card lives { $days } days
    } · { $per_day ->
        [0] no daily limit
       *[other] at most { $per_day } a day
    }
stampcards-created = ✅ Stamp card <b>{ $name }</b> created: purchases collect stamps from now on.
stampcards-invalid = Not created: { $field } is not valid any more. Start again with /stampcards.

## the console's stamp cards section
console-nav-stamps = Stamp cards
console-stamps-new = New stamp card
console-stamps-name-en = Name (English)
console-stamps-name-zh = Name (Chinese)
console-stamps-needed = Stamps to fill
console-stamps-per = A stamp per
console-stamps-min-amount = Minimum amount (minor units)
console-stamps-category = Only category
console-stamps-sku = Only SKU
console-stamps-reward = A full card gives
console-stamps-reward-points = Points (below)
console-stamps-points = Points
console-stamps-lifetime = A card lives (days, 0 = no end)
console-stamps-daily = Stamps per day (0 = no limit)
console-stamps-create = Create
console-stamps-pause = Pause
console-stamps-resume = Resume
console-stamps-status = { $status ->
        [active] active
       *[paused] paused
    }
console-stamps-figures = Last 30 days: { $started } started · { $filled } filled · { $redeemed } redeemed · { $days } days to fill (median)
console-error-card-type-not-found = No such stamp card.
console-error-invalid-card-type = The stamp card is not valid: { $field } ({ $reason }).
miniapp-stamps-ready = 🎁 Your reward is waiting in Vouchers.
