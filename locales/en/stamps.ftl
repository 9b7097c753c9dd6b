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
