# 报表：/report 摘要、图表标签、导出表头、会员分群。

reports-period-invalid = 无法识别时间段“{ $text }”。可以用 today、7d、30d、month、last-month 或 2026-01-01..2026-01-31（最长两年）。

reports-summary =
    📊 报表 { $period }{ $has_location ->
        [yes] {" "}· { $location }
       *[no] {""}
    }

    👥 新会员：{ $new_members }{ $new_members_change }
    🛒 活跃会员：{ $active_members }{ $active_members_change }
    🧾 消费笔数：{ $purchases }{ $purchases_change }
    💰 销售额：{ $sales }{ $sales_change }
    ↩️ 退款：{ $refunded }{ $refunded_change }
    🎯 客单价：{ $average_ticket }{ $average_ticket_change }

    ⭐ 发放积分：{ $points_issued }{ $points_issued_change }
    🎁 兑换积分：{ $points_redeemed }{ $points_redeemed_change }
    ⌛ 过期积分：{ $points_expired }{ $points_expired_change }
    ✏️ 调整积分：{ $points_adjusted }{ $points_adjusted_change }
    📈 兑换率：{ $redemption_rate } · 过期率：{ $breakage }
    🏦 未兑积分：{ $liability_points } 积分 = { $liability_money }{ $liability_points_change }

    🏅 等级：{ $tiers }

    热门奖品：
    { $top_rewards }

    消费最多的会员：
    { $top_members }

    活动（活动前 → 活动期间）：
    { $campaigns }

reports-segments =
    会员分群
    🏆 { reports-segment-champions }：{ $champions }
    💎 { reports-segment-loyal }：{ $loyal }
    🌱 { reports-segment-promising }：{ $promising }
    👀 { reports-segment-need-attention }：{ $need_attention }
    ⚠️ { reports-segment-at-risk }：{ $at_risk }
    💤 { reports-segment-hibernating }：{ $hibernating }
    🆕 { reports-segment-new }：{ $new }
    ⭕ { reports-segment-inactive }：{ $inactive }

reports-segment-champions = 核心会员
reports-segment-loyal = 忠实会员
reports-segment-promising = 潜力会员
reports-segment-need-attention = 需关注
reports-segment-at-risk = 流失风险
reports-segment-hibernating = 沉睡会员
reports-segment-new = 新会员
reports-segment-inactive = 一年内无消费

reports-chart-points-title = 每日积分
reports-chart-points-axis = 积分
reports-chart-issued = 发放
reports-chart-redeemed = 兑换
reports-chart-expired = 过期
reports-chart-tiers-title = 各等级会员数
reports-chart-members-axis = 会员数
reports-chart-sales-title = 每日销售额
reports-chart-sales-axis = 销售额（{ $currency }）
reports-chart-regular-day = 普通日
reports-chart-campaign-day = 活动日

reports-export-yes = 是
reports-export-no = 否

reports-col-id = 编号
reports-col-time = 时间
reports-col-member = 会员号
reports-col-name = 姓名
reports-col-kind = 类型
reports-col-points = 积分
reports-col-balance = 余额
reports-col-receipt = 小票号
reports-col-voucher = 券码
reports-col-reason = 原因
reports-col-channel = 渠道
reports-col-order = 订单号
reports-col-amount = 金额
reports-col-refunded = 已退款
reports-col-currency = 币种
reports-col-category = 品类
reports-col-location = 门店
reports-col-points-reversed = 冲回积分
reports-col-first-name = 名
reports-col-last-name = 姓
reports-col-username = 用户名
reports-col-phone = 手机号
reports-col-language = 语言
reports-col-tier = 等级
reports-col-opt-in = 接收营销
reports-col-reachable = 可送达
reports-col-joined = 加入时间
reports-col-last-purchase = 最近消费
reports-col-reward = 奖品
reports-col-status = 状态
reports-entry-earn = 获得
reports-entry-bonus = 奖励
reports-entry-redeem = 兑换
reports-entry-expire = 过期
reports-entry-adjust = 调整
reports-entry-reverse = 冲回
reports-entry-opening = 转入
reports-voucher-issued = 已发放
reports-voucher-redeemed = 已核销
reports-voucher-expired = 已过期
reports-voucher-voided = 已作废
reports-col-issued = 发放时间
reports-col-valid-until = 有效期至
reports-col-redeemed = 核销时间
reports-col-purchases = 消费笔数
reports-col-spend = 消费金额
reports-col-recency = R
reports-col-frequency = F
reports-col-monetary = M
reports-col-segment = 分群

# The chat face: /report, its buttons and the weekly report.

reports-cmd-report = 报表：数据、图表、分群、导出
reports-progress = ⏳ 正在生成报表 { $period }… { $done }/{ $total }
reports-actions = 接下来？
reports-button-segments = 👥 会员分群（RFM）
reports-button-at-risk = ⚠️ 流失风险会员
reports-button-export = 📤 导出 ▸
reports-export-button = { $kind } · { $format }
reports-export-kind-ledger = 积分流水
reports-export-kind-purchases = 消费记录
reports-export-kind-members = 会员
reports-export-kind-vouchers = 兑换券
reports-export-kind-segments = 会员分群
reports-export-preparing = ⏳ 正在准备{ $kind }（{ $format }）…
reports-export-ready = ✅ { $kind }：{ $rows } 行。
reports-export-filename = jifen-{ $kind ->
    [ledger] 积分流水
    [purchases] 消费记录
    [members] 会员
    [vouchers] 兑换券
   *[segments] 会员分群
}-{ $period }.{ $ext }
reports-at-risk =
    ⚠️ 流失风险会员：{ $count }
    他们在过去一年内有消费，但最近 60 天没有，并且仍可联系。
    发送 /broadcast 并选择受众“流失风险会员”来挽回他们。
reports-weekly-usage = 发送 /report weekly on 每周接收上周报表，发送 /report weekly off 停止。
reports-weekly-on = ✅ 您将每周收到报表（{ $schedule }）。
reports-weekly-off = 每周报表已关闭。
reports-weekly =
    🗓 您的每周报表

    { reports-summary }
reports-album-caption = 📊 { $period }：销售额 { $sales } · { $purchases } 笔消费 · 新会员 { $new_members } · 发放 { $points_issued } 积分，兑换 { $points_redeemed }
