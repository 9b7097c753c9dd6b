# 营销工具：活动、奖励目录、优惠券批次、推荐。
# 带 HTML 格式的消息以 parse_mode=HTML 发送：& < > 需写作 &amp; &lt; &gt;。

marketing-cmd-campaign = 活动：双倍积分日、倍数、奖励积分
marketing-cmd-reward = 奖励目录：添加、编辑、归档
marketing-cmd-coupons = 带二维码的优惠券批次
marketing-cmd-claim = 领取优惠券
marketing-cmd-invite = 邀请好友，赚取奖励积分

## 通用
marketing-all = 全部
marketing-all-day = 全天
marketing-none = —
marketing-done = ✔️ 完成
marketing-skip = 跳过
marketing-same-name = 与英文相同
marketing-unlimited = 不限量
marketing-no-limit = 不限
marketing-any-tier = 任意等级
marketing-default = 默认
marketing-bad-date = “{ $text }”不是日期。请按 { $example } 的格式发送（YYYY-MM-DD HH:MM，门店时间）。
marketing-weekday = { $day ->
        [0] 周一
        [1] 周二
        [2] 周三
        [3] 周四
        [4] 周五
        [5] 周六
       *[6] 周日
    }
marketing-preset-today = 今天
marketing-preset-weekend = 本周末
marketing-preset-week = 未来 7 天
marketing-preset-typed = ⌨️ 输入日期

## /campaign
marketing-campaign-intro = 📣 活动在一段时间内提高会员所得积分：倍数（×2 积分）或每笔消费的奖励积分。
    多个活动同时适用于一笔消费时，取最高的倍数（倍数之间不相乘），奖励积分相加。
    开启通知时，活动开始时和结束前一天会通知会员。
marketing-campaign-new = ➕ 新建活动
marketing-campaign-list = 📋 活动列表
marketing-campaign-bad-name = 请发送 1 到 { $limit } 个字符的名称。
marketing-campaign-ask-kind = 活动类型？
marketing-campaign-kind-multiplier = ✖️ 倍数
marketing-campaign-kind-bonus = ➕ 奖励积分
marketing-campaign-ask-multiplier = 积分乘以多少？请发送 2 或 1.5 这样的数字，或按按钮。
marketing-campaign-bad-multiplier = “{ $text }”不是可用的倍数。请发送大于 1 且不超过 { $max } 的数字，如 2 或 1.5。
marketing-campaign-ask-bonus = 每笔符合条件的消费奖励多少积分？
marketing-campaign-bad-bonus = “{ $text }”不是可用的积分数。请发送 1 到 { $max } 的整数。
marketing-campaign-ask-window = 活动时间？
marketing-campaign-ask-start = 请按 YYYY-MM-DD HH:MM（门店时间）发送开始时间，例如 { $example }；也可一次发送整个时段，例如 { $window }。
marketing-campaign-start-past = “{ $text }”已经过去（现在是 { $now }）。请发送现在或以后的开始时间。
marketing-campaign-ask-end = 开始于 { $start }。请按 YYYY-MM-DD HH:MM 发送结束时间（只写日期表示当天结束）。
marketing-campaign-ask-weekdays = 每周哪几天？不选表示每天。
marketing-campaign-ask-hours = 每天哪些时段？请按 10-14 的格式发送（10:00 至 14:00）。
marketing-campaign-ask-tiers = 适用哪些等级？不选表示所有人。
marketing-campaign-ask-filter = 请发送适用的{ $field ->
        [skus] 商品编码（SKU）
       *[categories] 品类
    }，用逗号分隔，或发送“-”表示全部。
marketing-opt-weekdays = 📅 星期
marketing-opt-hours = 🕘 时段
marketing-opt-categories = 🏷 品类
marketing-opt-skus = 🔢 SKU
marketing-opt-name = ✏️ 名称
marketing-opt-window = 🗓 时间
marketing-opt-amount = ✖️ 力度
marketing-opt-tiers = 🎖 等级
marketing-filter-keep = 按输入保留
marketing-filter-unknown = ⚠️ 没有规则或消费记录包含{ $field ->
        [skus] 商品编码
       *[categories] 类别
    }“{ $unknown }”。已知的有：{ $known }。请重新发送，或按输入保留。
marketing-opt-announce = 📢 通知：{ $on ->
        [yes] 开
       *[no] 关
    }
marketing-campaign-summary = <b>{ $name }</b>
    { $kind ->
        [bonus] 每笔消费 +{ $bonus } 积分
       *[multiplier] ×{ $multiplier } 积分
    }
    { $start } 至 { $end }
    星期：{ $weekdays } · 时段：{ $hours }
    品类：{ $categories } · SKU：{ $skus } · 等级：{ $tiers }
    通知：{ $announce ->
        [yes] 是
       *[no] 否
    }
marketing-campaign-review = 请核对活动，可添加选项，然后确认：

    { $summary }
marketing-campaign-review-edit = ✏️ 正在修改活动 #{ $id }：修改后请确认：

    { $summary }
marketing-campaign-invalid = { $field ->
        [names] 名称缺失或过长。
        [multiplier] 倍数须大于 1 且不超过 10。
        [bonus] 奖励积分须在 1 到 100000 之间。
        [window] { $reason ->
            [end-before-start] 结束时间须晚于开始时间。
            [ended] 该结束时间已经过去。
           *[other] 活动最长一年。
        }
        [weekdays] 星期无效。
        [hours] 时段格式应为 10-14，范围 0 到 24，前者小于后者。
        [filters] 品类、SKU 或等级过多或过长。
       *[other] 活动中有无效内容。
    }未做任何更改。
marketing-campaign-created = ✅ 活动 #{ $id } 已保存。可通过 /campaign → 活动列表 查看。
marketing-campaign-edited = ✅ 活动 #{ $id } 已修改。可通过 /campaign → 活动列表 查看。
marketing-campaign-none = 目前没有进行中或即将开始的活动。
marketing-campaign-line = #{ $id } · { $status ->
        [active] 进行中
        [paused] 已暂停
       *[ended] 已结束
    } · { $summary }
marketing-campaign-pause = ⏸ 暂停 #{ $id }
marketing-campaign-resume = ▶️ 恢复 #{ $id }
marketing-campaign-end = ⏹ 结束 #{ $id }
marketing-campaign-edit = ✏️ 修改 #{ $id }
marketing-campaign-changed = 活动 #{ $id } 现在{ $status ->
        [active] 进行中
        [paused] 已暂停
       *[ended] 已结束
    }。
marketing-campaign-unknown = 没有活动 #{ $id }。
marketing-campaign-unchangeable = 活动 #{ $id } { $status ->
        [active] 进行中
        [paused] 已暂停
       *[ended] 已结束
    }，不能这样更改。未做任何更改。

## /reward
marketing-reward-intro = 🎁 会员用积分兑换的奖励目录。
marketing-reward-add = ➕ 添加奖励
marketing-reward-list = 📋 奖励列表
marketing-reward-ask-name-en = 奖励的英文名称？
marketing-reward-ask-name-zh = 中文名称？或使用相同名称。
marketing-reward-ask-desc-en = 简短的英文描述？（可跳过）
marketing-reward-ask-desc-zh = 中文描述？（跳过则使用英文描述）
marketing-reward-ask-photo = 请发送奖励的照片（可跳过）。
marketing-reward-ask-cost = 需要多少积分？
marketing-reward-ask-kind = 奖励类型？
marketing-reward-ask-stock = 库存多少？发送数字，或按“不限量”。
marketing-reward-ask-limit = 每位会员最多兑换几次？发送数字，或按“不限”。
marketing-reward-ask-tier = 会员至少需要什么等级？
marketing-reward-ask-validity = 兑换券有效多少天？发送数字，或按“默认”。
marketing-reward-photo-please = 请发送一张照片（或按“跳过”）。
marketing-reward-bad-text = 请发送 1 到 { $limit } 个字符的文字。
marketing-kind-discount = 💸 折扣
marketing-kind-gift = 🎁 礼品
marketing-kind-service = 🛎 服务
marketing-reward-invalid = { $field ->
        [names] 名称缺失或过长。
        [descriptions] 描述过长。
        [kind] 未知的奖励类型。
        [cost_points] 所需积分须为 1 到 10000000 的整数。
        [stock] 库存须为 0 到 10000000 的整数。
        [per_member_limit] 每位会员限额须在 1 到 1000 之间。
        [voucher_validity_days] 兑换券有效期须为 1 到 3650 天。
        [min_tier] 未知的等级。
       *[other] 奖励中有无效内容。
    }未做任何更改。
marketing-reward-summary = <b>{ $name }</b>
    { $description }
    所需积分：{ $cost } · 类型：{ $kind }
    库存：{ $stock } · 每人限额：{ $limit } · 最低等级：{ $tier }
    兑换券有效天数：{ $validity } · 照片：{ $photo ->
        [yes] 有
       *[no] 无
    }
marketing-reward-review = 请核对奖励，然后确认：

    { $summary }
marketing-reward-added = ✅ 奖励 #{ $id } 已加入目录。
marketing-reward-none = 目录为空。请先添加奖励。
marketing-reward-line = #{ $id } <b>{ $name }</b> · { $cost } 积分 · 库存 { $stock }{ $archived ->
        [yes] {" "}· 已归档
       *[no] {""}
    }
marketing-reward-edit = ✏️ #{ $id }
marketing-reward-edit-stock = 库存
marketing-reward-edit-cost = 积分
marketing-reward-archive = 🗄 归档
marketing-reward-restore = ♻️ 恢复
marketing-reward-saved = ✅ 奖励 #{ $id } 已保存。
marketing-reward-unknown = 该奖励不存在（或已删除）。

## /coupons
marketing-coupons-intro = 🎟 选择要生成优惠券的奖励（每次 1 到 { $max } 张）。最近的批次：
marketing-coupons-no-rewards = 请先用 /reward 添加奖励：优惠券领取后成为该奖励的兑换券。
marketing-coupons-ask-count = 为 <b>{ $reward }</b> 生成多少张优惠券？（1 到 { $max }）
marketing-coupons-confirm = 您要为 <b>{ $reward }</b> 生成 { $count } 张优惠券吗？{ $until }。
marketing-coupons-expiry = { $days ->
        [0] 不设期限
       *[other] { $days } 天
    }
marketing-coupons-valid-until = 有效期至 { $at }
marketing-coupons-no-expiry = 优惠券长期有效；领取后兑换券有效 { $days } 天
marketing-coupons-bad-count = 请发送 1 到 { $max } 的数字。
marketing-coupons-csv = 批次 #{ $id }：全部 { $size } 张优惠券（券码和链接）。
marketing-coupons-sheet = 可打印的二维码页：{ $size } 张中的 { $shown } 张。每份最多包含前 { $cap } 张；所有券码都在 CSV 中。
marketing-coupons-sheet-title = #{ $id } { $reward } · { $until }
marketing-coupons-sheet-until = 有效期至 { $date }
marketing-coupons-sheet-days = 领取后 { $days } 天内有效
marketing-coupons-batch-line = #{ $id } { $name }：{ $size } 张 · 已领取 { $claimed } · 已使用 { $used } · { $until } · 生成于 { $created }

## 领取优惠券（会员）
marketing-claim-usage = 请发送二维码下方印的券码，例如 /claim K7QM-4PXD。
marketing-claim-done = 🎉 领取成功：<b>{ $reward }</b>。您的兑换券码是 <code>{ $code }</code>，有效期至 { $until }。用 /vouchers 查看。
marketing-claim-taken = { $mine ->
        [yes] 您已领取过这张优惠券：请查看 /vouchers。
       *[no] 抱歉，这张优惠券已被领取。
    }
marketing-claim-expired = 抱歉，这张优惠券已于 { $on } 过期。
marketing-claim-one-per-member = 您已领取过该批次的优惠券：每人限一张。
marketing-claim-unavailable = 抱歉，该奖励已不可用。
marketing-claim-unknown = 找不到这个券码。请检查后重试。

## 推荐
marketing-invite = 🤝 邀请好友：分享此链接或让好友扫描二维码。
    { $link }
    { $points ->
        [0] {""}
       *[other] 好友首次消费后，您将获得 { $points } 奖励积分。
    }
marketing-invite-accepted = 👋 您是受 { $name } 邀请加入的。欢迎！
marketing-invite-own = 这是您自己的邀请链接：分享给好友吧。
marketing-referral-rewarded = 🤝 您的好友 { $friend } 完成了首次消费：您获得 <b>{ $points } 奖励积分</b>。余额：{ $balance }。

## The merchant's first week (issue 22)
marketing-invite-staff = 这是会员的邀请链接，供新顾客使用，员工不能被邀请。记录消费请扫描会员的会员卡（会员在对话中发送 /card）。
marketing-campaign-ask-name-first = 活动叫什么？请发送{ $language ->
        [en] 英文
       *[zh-Hans] 中文
    }名称（最多 64 个字符）。
marketing-campaign-ask-name-second = { $language ->
        [en] 英文
       *[zh-Hans] 中文
    }名称是什么？或按按钮使用相同名称。
marketing-same-name-as = 与{ $language ->
        [en] 英文
       *[zh-Hans] 中文
    }相同
