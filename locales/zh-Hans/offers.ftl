# 个人礼遇：欢迎回来礼遇、推荐、定向活动及其报告。

offers-winback = 👋 好久不见，我们想念您！专属于您的礼遇：{ $until } 前的下一次消费可获 <b>×{ $multiplier } 积分</b>。结账时出示您的会员卡即可。

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
    对照组：{ $control } 人，{ $control_buyers } 人消费（{ $control_rate }），{ $control_sales } · { $early ->
        [yes] 时间太短，暂不比较
       *[no] 提升 { $lift }
    }
    之前：{ $previous_buyers } 人消费，{ $previous_sales }

offers-audience-button = 🎯 目标人群
offers-audience-everyone = 🎯 目标人群：全部会员
offers-audience-summary = 🎯 目标人群：{ $rule } · { $mode ->
        [live] 实时（会员符合条件即加入、不再符合即退出）
       *[snapshot] 活动开始时固定
    } · 对照组 { $control }% · 目前 { $size } 位会员
offers-audience-rule = { $kind ->
        [tier] 等级 { $detail }
        [segment] RFM 分群“{ $detail }”
        [at_risk] 流失风险（{ $days } 天未消费）
        [category] 最近 { $days } 天购买过“{ $detail }”
        [members] { $count } 位会员的名单
       *[winback] 欢迎回来礼遇
    }
offers-audience-ask-kind = 这个活动面向哪些会员？不在目标人群中的会员照常积分。
offers-audience-kind = { $kind ->
        [all] 👥 全部会员
        [tier] 🎖 按等级
        [segment] 📊 RFM 分群
        [at_risk] ⚠️ 流失风险
        [category] 🏷 购买过某品类
       *[members] 📋 会员名单
    }
offers-audience-ask-segment = 请选择 RFM 分群：
offers-audience-ask-silent = 流失风险：一年内消费过，但多久没有消费了？
offers-audience-days = { $days } 天
offers-audience-ask-category = 请发送品类以及往前统计的天数，例如“coffee 30”（不写天数则为 30 天）。
offers-audience-bad-category = 请发送品类（最多 64 个字符）和 1 到 { $max } 之间的天数，例如“coffee 30”。
offers-audience-ask-codes = 请发送会员编号（例如 { $example }）或手机号，用逗号或换行分隔（最多 { $limit } 个）。无法识别的内容会列出并忽略。
offers-audience-bad-codes = 这些看起来不是会员编号（例如 { $example }）或手机号，或超过了 { $limit } 个。请重新发送。
offers-audience-no-tier = 请至少选择一个等级。
offers-audience-ask-mode = 目标人群在活动开始时固定（快照：谁符合条件可以追溯），还是保持实时（会员符合条件即加入、不再符合即退出）？
offers-audience-mode = { $mode ->
        [live] 🔄 实时
       *[snapshot] 📌 快照
    }
offers-audience-ask-control = 要保留对照组吗？对照组会员不获得优惠、也不会收到消息，这样报告才能显示活动带来的真实变化。
offers-audience-control-share = { $percent }%
offers-audience-empty = 目前没有会员属于这个目标人群，无法使用。请选择其他目标人群。
offers-audience-unknown-codes = 以下 { $count } 个会员编号或手机号没有对应会员，将被忽略：{ $codes }
offers-audience-invalid = 这个目标人群已不再有效，请重新选择。
offers-audience-created = 🎯 目标人群：{ $size } 位会员（对照组从中留出）。

## The merchant's first week (issue 22)
offers-audience-choice-count = { $label }（{ $count }）
offers-audience-empty-now = 目前没有会员属于“{ $rule }”，无法使用，请选择其他。
offers-audience-unreadable = 有 { $count } 项无法识别，已忽略：{ $items }
