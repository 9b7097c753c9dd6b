# 个人礼遇：欢迎回来礼遇、推荐、定向活动及其报告。

offers-winback = 👋 好久不见，我们想念您！专属于您的礼遇：{ $until } 前的下一次消费可获 <b>×{ $multiplier } 积分</b>。结账时出示您的会员卡即可。

    不想再收到此类优惠信息：/profile → 📣 开关优惠信息。

offers-balance-suggest-now = 🎁 您现在就可以兑换 <b>{ $name }</b>：/rewards
offers-balance-suggest-next = 🎁 下一个目标：<b>{ $name }</b>，还差 { $missing } 积分。
