# 后台控制台（/console/）与 /console 命令。

console-cmd-console = 在浏览器中打开控制台：一次性登录链接
console-chat-link = 打开控制台（{ $minutes } 分钟内有效，仅可使用一次，请勿转发）：
    { $url }
console-chat-logged-out = { $sessions ->
    [0] 您没有已登录的控制台会话。
   *[other] 已退出控制台（结束了 { $sessions } 个会话）。
}
console-chat-unavailable = 控制台暂不可用：尚未设置商店的公开地址（bot.public_url）。
miniapp-console-entry = 控制台

console-title = 控制台
console-logout = 退出登录
console-role-admin = 管理员
console-role-marketer = 营销
console-nav-dashboard = 概览
console-nav-members = 会员

console-error-title = 无法访问
console-how-to-log-in = 请在 Telegram 中向机器人发送 /console 获取登录链接（仅限管理员和营销人员）。
console-error-forbidden = 此页面仅供商店的管理员和营销人员使用。
console-error-admins-only = 只有管理员可以执行此操作。
console-error-csrf = 页面已过期，请刷新后重试。
console-error-cross-site = 已拒绝：请求并非来自控制台本身。
console-error-insufficient-points = 积分不足：该会员只有 { $balance } 积分。
console-error-invalid-cursor = 该页结果已不存在，请重新搜索。
console-error-link-used = 此登录链接已被使用、已过期或已失效。请重新发送 /console。
console-login-title = 正在登录…
console-login-continue = 进入控制台

console-period = 时段：{ $period }
console-period-choose = 选择时段
console-period-range = 时段（7d、month 或 2026-01-01..2026-01-31）
console-period-today = 今天
console-period-7d = 7 天
console-period-30d = 30 天
console-period-90d = 90 天
console-period-month = 本月
console-period-last-month = 上月
console-show = 显示
console-current = 本期
console-previous = 上期
console-fig-sales = 销售额
console-fig-purchases = 消费笔数
console-fig-average-ticket = 客单价
console-fig-points-issued = 发放积分
console-fig-points-redeemed = 兑换积分
console-fig-points-expired = 过期积分
console-fig-liability = 未用积分
console-fig-new-members = 新会员
console-fig-active-members = 活跃会员
console-chart-sales = 每日销售额（与上期对比）
console-chart-points = 每日积分
console-chart-compare = 本期与上期
console-chart-tiers = 各等级会员数
console-chart-lift = 定向活动：目标组、对照组及同一会员上期的购买比例
console-lift-targeted = 目标组
console-lift-control = 对照组
console-lift-previous = 同一会员上期
console-lift-rate = 购买比例（%）
console-lift-none = 本时段没有定向活动。

console-search = 搜索
console-search-hint = 姓名、手机号、会员码或外部编号
console-search-button = 搜索
console-filter-tier = 等级
console-filter-segment = 分群
console-filter-visit = 最近到店
console-filter-days = 天数
console-any = 全部
console-visit-within = 天数内有消费
console-visit-over = 超过天数未消费
console-visit-never = 从未消费
console-sort = 排序
console-sort-joined = 加入时间
console-sort-name = 姓名
console-sort-balance = 余额
console-sort-last-purchase = 最近消费
console-order = 顺序
console-order-desc = 降序
console-order-asc = 升序
console-col-code = 会员码
console-col-name = 姓名
console-col-tier = 等级
console-col-balance = 余额
console-col-phone = 手机号
console-col-last-purchase = 最近消费
console-no-members = 没有符合条件的会员。
console-more = 更多
console-export-csv = 导出 CSV
console-export-xlsx = 导出 XLSX

console-expiring = { $points } 积分将于 { $date } 过期
console-tier-progress = { $basis ->
    [spend] 距 { $tier } 还差消费 { $needed }（最小货币单位）
   *[other] 距 { $tier } 还差 { $needed } 积分
}
console-consent = 授权
console-consent-marketing = 优惠与资讯
console-consent-notifications = 提醒
console-consent-reachable = 可在 Telegram 联系
console-yes = 是
console-no = 否
console-profile = 资料
console-external-id = 外部编号
console-joined = 加入时间
console-adjust-title = 调整积分
console-adjust-points = 积分（+ 或 −）
console-adjust-reason = 原因（会员可见）
console-adjust-button = 调整…
console-adjust-confirm = 为 { $name } 调整 { $points } 积分：余额 { $before } → { $after }？
console-confirm = 确认
console-cancel = 取消
console-history = 积分记录
console-history-earn = 消费 { $amount }（小票 { $receipt }）
console-history-bonus = { $bonus ->
    [birthday] 生日奖励
    [referral] 推荐奖励
    [campaign] 活动奖励
   *[other] 奖励（{ $reason }）
}
console-history-redeem = 兑换「{ $reward }」
console-history-expire = 过期
console-history-adjust = 调整：{ $reason }
console-history-reverse = 冲回（小票 { $receipt }，券「{ $reward }」）
console-history-opening = 迁入余额
console-newer = 较新
console-older = 较早
console-page = 第 { $page } / { $pages } 页
console-lots = 积分及到期时间
console-lot-points = 积分
console-lot-remaining = 剩余
console-lot-expires = 到期
console-never = 永不过期
console-none = 暂无。
console-purchases = 消费记录
console-when = 时间
console-receipt = 小票
console-amount = 金额
console-vouchers = 兑换券
console-voucher = 券码
console-reward = 奖品
console-status = 状态
console-valid-until = 有效期至
console-audit = 操作记录
console-action = 操作
console-by = 操作人

# 规则
console-nav-rules = 规则
console-rules-version = 版本 { $version } 对所有新消费生效。
console-rules-field = 设置项
console-rules-value = 当前值
console-rules-new-value = 新值
console-rules-change = 修改设置
console-rules-preview = 预览
console-rules-save = 保存为新版本
console-rules-readonly = 仅管理员可以修改规则。
console-rules-tiers = 等级
console-rules-tier = 等级
console-rules-threshold = 起点
console-rules-multiplier = 积分倍数
console-rules-history = 最近的版本
console-rules-source = 保存者
console-rules-config = config.toml
console-rules-change-line = { $field }：{ $old } → { $new }
console-rules-example = 示例：{ $tier }会员在{ $category }消费 { $amount }，修改前{ $before ->
        [-1] 不获得积分
       *[other] 获得 { $before } 积分
    }，修改后{ $after ->
        [-1] 不获得积分
       *[other] 获得 { $after } 积分
    }。
console-rules-unreadable = 请选择设置项并输入数值。
console-error-invalid-rule = { $label } 的这个值无法使用：{ $problem ->
        [too-small] 不能小于 { $limit }。
        [too-large] 不能大于 { $limit }。
        [not-above] 必须大于 { $limit }。
        [conflict] 与其他规则冲突（例如，等级门槛必须逐级递增）。
        [unknown-field] 此设置项已不存在。
       *[format] 无法识别。
    }未做任何修改。
console-error-rules-stale = 规则已被他人修改，未保存任何内容；请刷新页面后重试。

# 活动
console-nav-campaigns = 活动
console-campaigns-new = 新建活动
console-campaign-name-en = 名称（英文）
console-campaign-name-zh = 名称（中文）
console-campaign-kind = 类型
console-campaign-multiplier = 倍数
console-campaign-bonus = 奖励积分
console-campaign-starts = 开始
console-campaign-ends = 结束
console-campaign-audience = 受众
console-campaign-tiers = 等级（代码，用逗号分隔）
console-campaign-segment = RFM 分群
console-campaign-days = 天数
console-campaign-category = 品类
console-campaign-codes = 会员编号或手机号，用逗号分隔
console-campaign-mode = 成员方式
console-campaign-control = 对照组（%）
console-campaign-create = 创建活动
console-campaign-count = 当前受众共 { $size } 位会员。
console-campaign-count-everyone = 全部会员。
console-campaign-count-unknown = 将忽略 { $count } 个未知的会员编号。
console-campaign-count-unread = 无法识别（不是手机号，或没有会员使用）：{ $entries }
console-campaign-lift = 购买：目标组 { $members } 人中 { $targeted } 人，对照组 { $control_members } 人中 { $control } 人（提升 { $lift }‰）
console-campaign-pause = 暂停
console-campaign-resume = 恢复
console-campaign-end = 立即结束
console-campaign-status-active = 进行中
console-campaign-status-paused = 已暂停
console-campaign-status-ended = 已结束
console-campaign-window = { $start } → { $end }
console-campaigns-none = 还没有活动。
console-error-invalid-campaign = 无法保存活动：{ $field ->
        [names] 请填写名称。
        [multiplier] 倍数必须大于 1 且不超过 10，最多两位小数。
        [bonus] 奖励积分必须为正数。
        [window] { $reason ->
            [ended] 活动时间已经过去。
            [too-long-window] 活动最长一年。
           *[end-before-start] 结束时间必须晚于开始时间。
        }
       *[other] 请检查 { $field }。
    }未保存任何内容。
console-error-invalid-audience = 无法使用此受众：请检查{ $field ->
        [tiers] 等级
        [segment] 分群
        [category] 品类
        [days] 天数
        [codes] 会员编号
        [control] 对照组比例（0–50%）
       *[other] { $field }
    }。未保存任何内容。
console-error-empty-audience = 此受众当前没有会员，无法使用。未保存任何内容。
console-error-campaign-not-found = 没有这个活动。
console-error-campaign-not-changeable = 此活动状态为 { $state }，不能这样修改。

## broadcasts
console-nav-broadcasts = 群发
console-broadcast-consent = 群发只发给同意接收优惠且未屏蔽机器人的会员；每位会员收到其语言的版本，并附有如何停止接收优惠的说明。
console-broadcast-new = 新群发
console-broadcast-text-en = 英文消息
console-broadcast-text-zh = 中文消息（可选：不填则中文读者收到英文版）
console-broadcast-button-text = 按钮文字（可选）
console-broadcast-button-url = 按钮链接
console-broadcast-value = 等级、语言、天数或最低消费
console-broadcast-when = 发送时间（{ $tz }；留空：立即）
console-broadcast-send = 发送或定时
console-broadcast-count = 将有 { $count } 位会员收到。
console-broadcast-preview = 使用{ $lang ->
        [zh-Hans] 中文
       *[other] 英文
    }的会员看到的样子
console-broadcasts-none = 还没有群发。
console-broadcast-progress = 已发送 { $sent } · 失败 { $failed } · 剩余 { $remaining }，共 { $total }
console-broadcast-cancel = 取消（未送达的消息）
console-broadcast-status-draft = 草稿
console-broadcast-status-scheduled = 已定时
console-broadcast-status-sending = 发送中
console-broadcast-status-done = 已完成
console-broadcast-status-cancelled = 已取消
console-error-invalid-broadcast = 无法发送群发：{ $field ->
        [text_en] { $reason ->
            [empty] 请填写消息。
           *[other] 英文消息最多 { $limit } 个字符。
        }
        [text_zh] 中文消息最多 { $limit } 个字符。
        [button_text] 按钮需要文字（最多 64 个字符）和链接。
        [button_url] 按钮链接必须以 https:// 开头。
        [scheduled_at] { $reason ->
            [past] 该时间已过。
           *[other] 请填写日期和时间。
        }
        [value] { $reason ->
            [tier] 请选择等级。
            [language] 请选择语言（en 或 zh-Hans）。
            [days] 请填写天数（1–3,650）。
           *[other] 请填写金额。
        }
       *[other] 请检查 { $field }。
    }未发送任何内容。
console-error-broadcast-not-found = 没有这个群发。
console-error-broadcast-not-cancellable = 此群发状态为 { $state }，已无法取消。

## rewards and coupons
console-nav-rewards = 奖励
console-nav-coupons = 优惠券
console-reward-new = 新奖励
console-reward-name-en = 英文名称
console-reward-name-zh = 中文名称
console-reward-description-en = 英文说明
console-reward-description-zh = 中文说明
console-reward-kind = 类型
console-reward-cost = 所需积分
console-reward-stock = 库存（留空：不限）
console-reward-limit = 每位会员限兑（留空：不限）
console-reward-tier = 最低等级
console-reward-validity = 兑换券有效天数（留空：默认）
console-reward-add = 添加奖励
console-reward-save = 保存
console-reward-edit = 编辑
console-reward-disable = 停用
console-reward-restore = 恢复
console-reward-archived = 已停用
console-reward-move-up = 上移
console-reward-move-down = 下移
console-reward-line = { $cost } 积分 · 库存 { $stock } · 每人 { $limit } · 等级 { $tier }
console-reward-photo = 图片（JPEG、PNG 或 WebP，最大 { $mb } MB）
console-reward-upload = 上传图片
console-reward-photo-telegram = 图片在 Telegram 中
console-reward-photo-none = 无图片
console-rewards-none = 还没有奖励。
console-coupons-new = 新一批优惠券
console-coupons-reward = 奖励
console-coupons-count = 数量（1–{ $max }）
console-coupons-expiry = 优惠券有效期
console-coupons-create = 生成优惠券
console-coupons-none = 还没有优惠券批次。
console-coupons-size = 张数
console-coupons-claimed = 已领取
console-coupons-used = 已使用
console-coupons-until = 有效期
console-coupons-csv = CSV
console-coupons-sheet = 打印页
console-coupons-sheet-note = 本页显示 { $size } 张中的 { $shown } 张（最多前 { $cap } 张；全部券码见 CSV）。请用浏览器打印，再沿线剪开。
console-error-invalid-reward = 无法保存奖励：{ $field ->
        [names] { $reason ->
            [empty] 请填写名称。
           *[other] 名称最多 64 个字符。
        }
        [descriptions] 说明最多 500 个字符。
        [cost_points] 所需积分须为 1 至 10,000,000。
        [stock] 库存须为 0 至 10,000,000（留空：不限）。
        [per_member_limit] 每人限兑须为 1 至 1,000。
        [voucher_validity_days] 兑换券有效期须为 1 至 3,650 天。
        [min_tier] 请选择存在的等级。
        [kind] 请选择类型。
       *[other] 请检查 { $field }。
    }未保存任何内容。
console-error-reward-not-found = 没有这个奖励。
console-error-reward-cannot-move = 此奖励已在目录{ $direction ->
        [up] 最前
       *[other] 最后
    }。
console-error-invalid-photo = 未接受图片：{ $reason ->
        [size] 超过 5 MB。
        [pixels] 像素过多。
        [type] 只接受 JPEG、PNG 和 WebP 图片。
       *[other] 无法读取为图片。
    }未保存任何内容。
console-error-invalid-batch-size = 每批 1 至 { $maximum } 张优惠券。未生成任何内容。
console-error-reward-unavailable = 该奖励已停用或不存在。未生成任何内容。
console-error-batch-not-found = 没有这个优惠券批次。

## 人员与集成（api/console/people.py、integrations.py、audit_log.py）
console-nav-people = 人员
console-nav-integrations = 集成
console-nav-audit = 审计日志
console-people-intro = 店里所有有角色的人。邀请是一次性链接：在过期前第一个打开的人获得该角色。
console-people-staff = 员工
console-people-name = 姓名
console-people-role = 角色
console-people-location = 门店
console-people-role-admin = 管理员
console-people-role-marketer = 营销
console-people-role-staff = 收银员
console-people-configured = 在配置文件中设置
console-people-revoke = 撤销
console-people-revoke-confirm = 撤销 { $name } 的 { $role } 角色？其控制台会话将立即结束。
console-people-invite = 邀请
console-people-invite-button = 创建邀请
console-people-qr = 邀请二维码：用手机相机扫描
console-people-invite-until = 有效期至 { $when }，仅限一次。
console-people-no-invites = 没有未使用的邀请。
console-keys = API 密钥
console-keys-prefix = 前缀
console-keys-name = 名称
console-keys-created = 创建时间
console-keys-last-used = 最近使用
console-keys-revoked = 已于 { $when } 撤销
console-keys-revoke = 撤销
console-keys-revoke-confirm = 撤销密钥“{ $name }”？使用它的收银台将立即停止工作。
console-keys-create = 创建密钥
console-keys-secret-once = 请立即复制此密钥：它只显示这一次。
console-webhooks = Webhook
console-webhooks-url = URL
console-webhooks-events = 事件
console-webhooks-all = 全部事件
console-webhooks-delivered = 已送达
console-webhooks-pending = 待发送
console-webhooks-failed = 失败
console-webhooks-disabled = 已停用
console-webhooks-disable = 停用
console-webhooks-disable-confirm = 停止向 { $url } 发送？尚未发送的投递将被取消。
console-webhooks-add = 添加端点
console-webhooks-secret-once = 签名密钥，只显示这一次：
console-webhooks-log = 投递记录
console-webhooks-event = 事件
console-webhooks-attempts = 尝试次数
console-webhooks-last-error = 最近错误
console-webhooks-resend = 重新发送
console-audit-actor = 操作人（姓名或 Telegram ID）
console-audit-from = 从
console-audit-to = 到
console-audit-search = 搜索
console-audit-target = 对象
console-audit-bad-query = 无法识别搜索条件：请检查“{ $field }”。
console-error-not-staff = 此人没有角色。
console-error-configured-admin = 此管理员在配置文件中设置，不能在此撤销。
console-error-last-admin = 这是最后一位管理员：撤销后无人能管理角色。未做任何更改。
console-error-key-not-found = 没有这个有效的 API 密钥。
console-error-invalid-key-name = 无法使用该密钥名称（{ $reason }）。未保存任何内容。
console-error-webhook-not-found = 没有这个 Webhook 端点。
console-error-invalid-webhook-url = 该 URL 不能接收 Webhook（{ $reason ->
    [scheme] 必须以 https:// 或 http:// 开头
    [host] 没有主机名
    [too-long] 太长
    [credentials] 不能包含用户名或密码
    [private] 指向私有或本地地址
    [unresolvable] 找不到其主机
   *[other] { $reason }
    }）。未保存任何内容。
console-error-delivery-not-found = 没有这个投递，或其端点已停用。

## 规则表单（api/console/rules_forms.py）
console-rules-form-multipliers = 品类与 SKU 倍数
console-rules-form-usage = 积分使用
console-rules-form-tiers = 等级
console-rules-form-events = 其他系统事件的积分
console-rules-form-bonuses = 机器人内奖励
console-rules-form-hint-multipliers = 清空某行的名称即删除该行；填写空行即新增。
console-rules-form-hint-usage = 比例是积分最多可支付账单的百分比；每日兑换 0 次表示不限。
console-rules-form-hint-tiers = 多条权益用 | 分隔。评定周期是决定等级的活动天数。
console-rules-form-hint-events = 清空类型即删除该规则。上限为 0 表示不限；日期含当天；不填渠道表示所有渠道。
console-rules-form-hint-bonuses = 每位会员只发一次；0 表示关闭该奖励。
console-rules-input-row = { $label }（第 { $row } 行）
console-rules-input-tier = { $tier }：{ $label }
console-rules-input-cat-key = 品类
console-rules-input-cat-mult = 品类倍数
console-rules-input-sku-key = SKU
console-rules-input-sku-mult = SKU 倍数
console-rules-input-refund = 已花积分的退款
console-rules-input-pay = 积分抵扣
console-rules-input-share = 积分最多支付账单的比例（%）
console-rules-input-minr = 最低兑换（积分）
console-rules-input-maxday = 每日兑换次数（0 = 不限）
console-rules-input-window = 评定周期（天）
console-rules-input-t-name-en = 名称（英文）
console-rules-input-t-name-zh = 名称（中文）
console-rules-input-t-perks-en = 权益（英文）
console-rules-input-t-perks-zh = 权益（中文）
console-rules-input-t-thr = 起点
console-rules-input-t-mult = 积分倍数
console-rules-input-ev-type = 事件类型
console-rules-input-ev-points = 积分
console-rules-input-ev-day = 每日上限
console-rules-input-ev-total = 总上限
console-rules-input-ev-from = 生效日期
console-rules-input-ev-to = 截止日期
console-rules-input-ev-channels = 渠道
console-rules-input-b-joined = 加入会员
console-rules-input-b-profile = 完善资料
console-rules-input-b-offers = 订阅优惠
console-rules-input-b-miniapp = 首次访问小程序
console-rules-refund-allow-negative = 扣回（余额可低于零）
console-rules-refund-clamp-to-zero = 扣回剩余部分（不低于零）
console-rules-on = 开
console-rules-off = 关
console-rules-no-change = 没有变化。
