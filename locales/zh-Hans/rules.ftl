# /rules：管理员查看和修改积分规则、使用规则和会员等级。
# 以 parse_mode=HTML 发送。

rules-cmd = 积分与使用规则、会员等级
rules-summary = <b>📏 当前规则</b>（版本 { $version }）
    { $lines }

    <b>会员等级</b>
    { $tiers }

    请选择要修改的项目：
rules-line = { $field }：<b>{ $value }</b>
rules-tier-line = • { $name }：{ $threshold } 起，积分 ×{ $multiplier }
rules-none = 无

rules-field-ppu = 每单位积分
rules-field-rnd = 取整方式
rules-field-minp = 最低消费
rules-field-maxp = 最高消费
rules-field-excl = 不积分品类
rules-field-catm = 品类倍数
rules-field-cap = 每日上限（积分，0 = 不限）
rules-field-minr = 最低兑换积分
rules-field-vval = 兑换券有效期（天）
rules-field-pval = 每积分价值（分）
rules-field-eopp = 积分抵扣部分累积积分
rules-field-expk = 过期规则
rules-field-expm = 过期时间（月）
rules-field-expp = 过期周期
rules-field-rem = 提醒天数
rules-field-tt = { $tier } 门槛
rules-field-tm = { $tier } 倍数

rules-choice-down = 向下取整
rules-choice-nearest = 四舍五入
rules-choice-up = 向上取整
rules-choice-rolling = 滚动（获得后 N 个月）
rules-choice-end-of-period = 周期结束时
rules-choice-never = 永不过期
rules-choice-month = 月
rules-choice-quarter = 季度
rules-choice-year = 年
rules-choice-on = 开启
rules-choice-off = 关闭

rules-choose = <b>{ $field }</b> 当前为：{ $current }
    请选择新的设置：
rules-ask = <b>{ $field }</b> 当前为：{ $current }
    请发送新的值。{ $hint }
rules-hint-int = 一个整数，例如 2。
rules-hint-money = 一个金额，例如 128.50。
rules-hint-decimal = 一个数字，例如 1.5。
rules-hint-words = 用逗号分隔的品类名称，例如 gift_card, tobacco（发送 - 表示无）。
rules-hint-multipliers = 品类=倍数，例如 coffee=1.5, tea=2（发送 - 表示无）。
rules-hint-days = 过期前的天数，例如 30, 7（发送 - 表示无）。

rules-invalid = ⚠️ <b>{ $field }</b> 不能使用这个值：{ $problem ->
        [too-small] 不能小于 { $limit }。
        [too-large] 不能大于 { $limit }。
        [not-above] 必须大于 { $limit }。
        [conflict] 与其他规则冲突（例如各等级门槛必须逐级递增）。
        [unknown-field] 该设置已不存在。
       *[format] 无法识别。
    }未做任何修改；请重新发送，或点“取消”。
rules-confirm = <b>{ $field }</b>：{ $old } → <b>{ $new }</b>

    示例：{ $tier }会员在 { $category } 品类消费 { $amount }，修改前获得 { $before ->
        [-1] 0 积分
       *[other] { $before } 积分
    }，修改后获得 { $after ->
        [-1] 0 积分
       *[other] { $after } 积分
    }。
    确认保存为新规则吗？
rules-saved = ✅ 已保存。规则版本 { $version } 已对所有新消费生效。
rules-stale = 规则刚刚被其他人修改过，未保存任何内容；请发送 /rules 重新开始。

rules-history-button = 🕘 历史版本
rules-history = <b>最近的规则版本</b>
    { $lines }
rules-history-line = #{ $version } · { $when } · { $who }
rules-history-config = config.toml

## The merchant's first week (issue 22)
rules-invalid-part = ⚠️ <b>{ $field }</b> 的值无法使用：无法识别“{ $part }”。未做任何修改；请重新发送或按取消。
