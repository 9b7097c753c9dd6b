## 集章卡（models/stamps）：会员、收银台、营销

stamps-member = 🎟 <b>{ $name }</b>：{ $cups }
    { $filled ->
        [0] 本次 +{ $added } 个章，继续加油！
       *[other] 🎉 集满啦！{ $reward ->
            [points] +{ $points } 积分已到账。
           *[voucher] 您的兑换券：<b>{ $codes }</b>（见 /vouchers）。
        }
    }
till-stamps-line = 🎟 { $name }：+{ $added } · { $cups } { $stamps }/{ $needed }{ $filled ->
        [0] {""}
       *[other] {" "}🎉 集满
    }
member-card-stamps = 🎟 { $name }：{ $cups }
member-card-stamps-ready = 🎁 { $name }：奖励已就绪，见 /vouchers。
