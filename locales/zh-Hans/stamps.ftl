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

## 营销人员的 /stampcards
marketing-cmd-stampcards = 集章卡（买 9 送 1）
stampcards-intro = 🎟 <b>集章卡</b>：每次消费（或每件商品）盖一个章，集满即得奖励。
stampcards-none = 还没有集章卡。
stampcards-line = • <b>{ $name }</b> { $cups }（{ $needed }）→ { $gives } · { $status ->
        [active] 进行中
       *[paused] 已暂停
    }
stampcards-gives-points = { $points } 积分
stampcards-pause = ⏸ 暂停 { $name }
stampcards-resume = ▶️ 恢复 { $name }
stampcards-paused = ⏸ { $name } 已暂停：不再盖新章，进行中的卡保留已有的章。
stampcards-resumed = ▶️ { $name } 恢复盖章。
stampcards-new = ➕ 新建集章卡
stampcards-ask-name = 这张卡叫什么？（例如：咖啡卡）
stampcards-ask-needed = 集满一张卡需要几个章？（例如 10：买 9 杯，第 10 杯免费）
stampcards-ask-per = 每次消费盖一个章，还是每件商品盖一个？
stampcards-ask-earns = 什么消费可以盖章？发送一个品类（例如 coffee）、sku:编码（某个商品）或最低金额（例如 20），或点「任意消费」。
stampcards-ask-reward = 集满后给什么？点一个奖励（兑换券免费），或发送积分数。
stampcards-ask-limits = 进行中的卡有效多少天？每天最多几个章？发送天数和每日章数，例如 90 1（0 表示不过期），或点「不限」。
stampcards-per-purchase = 每次消费
stampcards-per-item = 每件商品
stampcards-any = 任意消费
stampcards-no-limits = 不限
stampcards-press-a-button = 请点上面的按钮。
stampcards-bad-name = 请发送不超过 64 个字的名称。
stampcards-bad-needed = 请发送 2 到 { $max } 之间的整数。
stampcards-bad-earns = 请发送品类、sku:编码或金额（例如 20）。
stampcards-bad-reward = 请点一个奖励，或发送 1 到 1,000,000 之间的积分数。
stampcards-bad-limits = 请发送两个数字：天数和每日章数，例如 90 1；或点「不限」。
stampcards-confirm = 创建这张集章卡？
    🎟 <b>{ $name }</b> { $cups }
    { $needed } 个章，每{ $per ->
        [item] 件商品
       *[purchase] 次消费
    }一个 · 条件：{ $earns }
    集满奖励：{ $gives }
    { $days ->
        [0] 卡不过期
       *[other] 每张卡有效 { $days } 天
    } · { $per_day ->
        [0] 每日不限
       *[other] 每天最多 { $per_day } 个
    }
stampcards-created = ✅ 集章卡 <b>{ $name }</b> 已创建：从现在起消费即可盖章。
stampcards-invalid = 未创建：{ $field } 已无效。请用 /stampcards 重新开始。

## 控制台的集章卡
console-nav-stamps = 集章卡
console-stamps-new = 新建集章卡
console-stamps-name-en = 名称（英文）
console-stamps-name-zh = 名称（中文）
console-stamps-needed = 集满所需章数
console-stamps-per = 盖章方式
console-stamps-min-amount = 最低金额（最小单位）
console-stamps-category = 仅限品类
console-stamps-sku = 仅限 SKU
console-stamps-reward = 集满奖励
console-stamps-reward-points = 积分（见下）
console-stamps-points = 积分
console-stamps-lifetime = 卡有效天数（0 = 不过期）
console-stamps-daily = 每日章数上限（0 = 不限）
console-stamps-create = 创建
console-stamps-pause = 暂停
console-stamps-resume = 恢复
console-stamps-status = { $status ->
        [active] 进行中
       *[paused] 已暂停
    }
console-stamps-figures = 近 30 天：开始 { $started } · 集满 { $filled } · 已兑换 { $redeemed } · 集满用时中位数 { $days } 天
console-error-card-type-not-found = 没有这张集章卡。
console-error-invalid-card-type = 集章卡设置无效：{ $field }（{ $reason }）。
miniapp-stamps-ready = 🎁 奖励已在「兑换券」中等您使用。
