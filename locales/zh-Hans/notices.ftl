# 计划任务发出的消息：积分到期提醒、生日奖励、等级调整、活动提醒，以及群发进度和送达报告。
# 以 parse_mode=HTML 发送：只用 Telegram 支持的标签，& < > 写作 &amp; &lt; &gt;。

notice-expiry-reminder = ⏳ 您有 <b>{ $points } 积分</b>将于 { $date } 到期（{ $days } 天内）。发送 /rewards 趁早兑换吧。
notice-birthday-bonus = 🎂 { $name }，生日快乐！我们已为您送上 <b>{ $points } 积分</b>生日奖励。
tier-downgraded = 您的会员等级已调整为 <b>{ $to_tier }</b>（原为 { $from_tier }）。多多消费即可升回。
tier-upgraded = 🎉 恭喜您升级为 <b>{ $tier }</b>！{ $has_perks ->
        [yes] 您可享受：
    { $perks }
       *[no] {""}
    }
notice-campaign-started = 🎉 <b>{ $name }</b> 活动开始啦：{ $kind ->
        [bonus] 符合条件的消费额外赠送 { $bonus } 积分
       *[multiplier] 符合条件的消费享 { $multiplier } 倍积分
    }，截至 { $until }。
notice-campaign-ending = ⏰ 最后机会：<b>{ $name }</b> 将于 { $until } 结束。

# 营销人员撰写的群发内容（已转义，按原文发送）。
broadcast-text = { $text }

# 每条营销消息的最后一行（由 scheduler/render.py 添加；不超过 118 个字符）。
notice-marketing-footer = 🔕 只停止优惠信息：/stopoffers（小票和提醒照常发送）。
broadcast-progress = 📣 群发 #{ $id }：发送中…
    { $bar } { $percent }%
    已送达 { $sent } · 已屏蔽 { $blocked } · 失败 { $failed } · 剩余 { $pending } / 共 { $total }
broadcast-report = { $status ->
        [cancelled] ✋ 群发 #{ $id } 已取消。
       *[done] ✅ 群发 #{ $id } 已完成。
    }
    收件人：{ $total }
    已送达：{ $sent }
    已屏蔽机器人：{ $blocked }
    发送失败：{ $failed }
    未发送（已取消）：{ $cancelled }
    用时：{ $duration }
