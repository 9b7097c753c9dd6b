# 个人礼遇：欢迎回来礼遇、推荐、定向活动及其报告。

offers-winback = 👋 好久不见，我们想念您！专属于您的礼遇：{ $until } 前的下一次消费可获 <b>×{ $multiplier } 积分</b>。结账时出示您的会员卡即可。

    不想再收到此类优惠信息：/profile → 📣 开关优惠信息。

offers-balance-suggest-now = 🎁 您现在就可以兑换 <b>{ $name }</b>：/rewards
offers-balance-suggest-next = 🎁 下一个目标：<b>{ $name }</b>，还差 { $missing } 积分。

offers-report-title = 🎯 定向活动（目标会员 vs 对照组 vs 同一批会员的上一周期）
offers-report-line =
    { $name } · { $audience ->
        [tier] 按等级
        [segment] RFM 分群
        [at_risk] 流失风险会员
        [category] 购买过某品类
        [members] 会员名单
       *[winback] 欢迎回来礼遇
    }
    目标会员：{ $members } 人，{ $buyers } 人消费（{ $rate }），{ $sales }，{ $points } 积分
    对照组：{ $control } 人，{ $control_buyers } 人消费（{ $control_rate }），{ $control_sales } · 提升 { $lift }
    之前：{ $previous_buyers } 人消费，{ $previous_sales }
