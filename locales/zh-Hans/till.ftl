# 收银台：店员记录消费、核销兑换券、退款；管理员管理员工。
# 以 parse_mode=HTML 发送：只用 Telegram 的标签，& < > 写作 &amp; &lt; &gt;。

till-cmd-checkout = 记录消费（手机号或会员码）
till-cmd-redeem = 按券码核销
till-cmd-refund = 按小票号退款
till-cmd-member = 查询会员
till-cmd-adjust = 调整会员积分
till-cmd-staff = 员工、角色与邀请

till-role-admin = 管理员
till-role-marketer = 营销
till-role-staff = 收银员

## purchases
till-card-show-at-counter = 💳 这是会员卡。结账时出示给收银员扫码即可。
till-card-unknown = 这张会员卡无效（可能已更换）。请会员重新打开 /card。
till-member-card = 👤 <b>{ $name }</b> · { $code }
    { $tier } · { $points } 积分
till-amount-ask = 本次消费多少钱？请发送金额，例如 128.50
till-amount-negative = 金额不能为负。请发送实付金额，例如 { $example }。
till-amount-zero = 金额必须大于零。请发送实付金额，例如 { $example }。
till-amount-decimals = 小数位太多：最多 { $decimals } 位，例如 { $example }。
till-amount-too-large = 超过 { $limit }，可能输错了。请核对后重新发送。
till-amount-below-minimum = 低于 { $minimum } 的消费不积分。请发送更大的金额，或取消。
till-category-ask = 金额：<b>{ $amount }</b>。选择品类（或跳过）
till-category-other = 其他
till-category-skip = 跳过
till-category-none = —
till-purchase-confirm = 确认记录这笔消费？
    👤 { $name }
    💰 <b>{ $amount }</b> · { $category }
    ⭐ <b>+{ $points }</b>（{ $breakdown }）
till-purchase-confirm-paid = 确认记录这笔消费？
    👤 { $name }
    💰 { $amount } · { $category }
    💳 { $paid } 积分抵扣 −{ $discount } · 请收取 <b>{ $due }</b>
    ⭐ <b>+{ $points }</b>（{ $breakdown }）
    { $earn_on_paid ->
        [yes] 积分抵扣的部分同样累积积分。
       *[no] 积分抵扣的部分不累积积分。
    }
till-purchase-changed = 报价在显示后已变化（活动、规则或今日积分）。未记录任何内容：请查看下方的新报价。
till-receipt-staff = ✅ 已记录 <b>{ $receipt }</b>：{ $name } 消费 { $amount }。
    <b>+{ $points }</b> · 新余额 { $balance }。
till-receipt-member = 🧾 谢谢惠顾！本次消费 { $amount }，获得 <b>+{ $points } 积分</b>。
    余额：<b>{ $balance }</b> · 等级 { $tier }
    小票 { $receipt } · { $breakdown }

## member lookup
till-find-ask = 请发送会员姓名（或其中一部分）、手机号或会员码。
till-member-not-found = 没有找到该姓名、手机号或会员码对应的会员。请检查后重新发送。
till-find-choose = 有多位会员符合。请选择一位（或输入更完整的姓名）。
till-lookup-profile = { $card }
    📞 { $phone } · 加入于 { $joined }
    最近消费：
    { $purchases }
    兑换券：
    { $vouchers }
till-lookup-purchase = • { $at } · { $amount } · +{ $points } · { $receipt }
till-lookup-no-purchases = （暂无）
till-lookup-record = 🧾 记录消费
till-lookup-adjust = ✏️ 调整积分
till-lookup-voucher = • 🎟 { $reward } · { $code } · 有效期至 { $until }
till-lookup-no-vouchers = （无）
till-adjust-ask = 请发送 { $name } 的积分变动和原因，例如 -50 重复记录 或 +300 补偿。

## vouchers
till-voucher-show-at-counter = 🎟 这是兑换券。请在柜台出示，收银员扫码后即可领取奖励。
till-voucher-unknown = 该兑换券不存在。请核对券码（如 K7QM-4PXD）或重新扫码。
till-voucher-preview = 🎟 <b>{ $reward }</b>
    👤 { $name } · { $code }
    有效期至 { $until }
    现在核销？
till-voucher-used = ⛔ 已于 { $at } 由 { $by } 核销。
till-voucher-expired = ⛔ 该兑换券已于 { $on } 过期。
till-voucher-voided = ⛔ 该兑换券已于 { $at } 作废。
till-voucher-redeemed-staff = ✅ 已核销：<b>{ $reward }</b>（{ $code }）。请交付给会员。
till-voucher-redeemed-member = 🎁 您的兑换券 { $code }（<b>{ $reward }</b>）已使用。祝您愉快！
till-redeem-ask = 请发送券码（如 K7QM-4PXD）或兑换券二维码的照片。
till-photo-no-qr = 照片里没有找到二维码。请靠近重拍，或直接输入券码。
till-photo-not-ours = 这不是我们的二维码。

## refunds
till-refund-usage = 请发送 /refund 加小票号，例如 /refund R-K7QM-4PXD
till-refund-unknown = 没有这个小票号的消费。
till-refund-preview = 🧾 <b>{ $receipt }</b> · { $at }
    👤 { $name } · { $amount } · +{ $points }
    已退：{ $refunded } · 可退：<b>{ $refundable }</b>
till-refund-nothing-left = 这笔消费已无可退金额。
till-refund-ask = 全额退款，或发送要退的金额。
till-refund-full = 全额退款（{ $amount }）
till-refund-too-much = 超过可退金额：最多 <b>{ $refundable }</b>。
till-refund-confirm = 退款 <b>{ $amount }</b>（{ $receipt }）？将扣回 { $points } 积分。
till-refund-done = ↩️ 已为 { $name } 退款 { $amount }（{ $receipt }）：−{ $points } · 余额 { $balance }。
till-refund-member = ↩️ 您的消费 { $receipt } 已退款 { $amount }，扣回 { $points } 积分。余额：<b>{ $balance }</b>。

## corrections
till-adjust-usage = 请发送 /adjust 加会员（会员码、手机号或姓名）、积分和原因，例如 /adjust K7QM4PXD -50 重复记录
till-adjust-confirm = 将 { $name } 的积分调整 <b>{ $points }</b>？
    余额：{ $before } → <b>{ $after }</b> 积分
    原因：{ $reason }
till-adjust-done = ✅ 已调整：{ $points } · 余额 { $before } → <b>{ $after }</b>。
till-adjust-insufficient = 无法调整：该会员只有 { $points }。
till-adjust-member = ✏️ 您的积分已调整 <b>{ $points }</b>（{ $reason }）。余额：<b>{ $balance }</b>。

## staff
till-staff-list = 👥 <b>员工</b>
    { $people }
till-staff-line = • { $name } · { $role }{ $location }
till-staff-revoke = 撤销 { $name }
till-staff-revoke-confirm = 撤销 { $name } 的{ $role }角色？
till-staff-revoked = ✅ { $name } 已无角色。
till-staff-last-admin = ⛔ 无法撤销：店铺将没有管理员。
till-staff-not-staff = 此人（已）没有角色。
till-invite-created = 🔑 新{ $role }邀请 { $location }
    扫描二维码或打开 { $link }
    仅限一人使用，有效期至 { $until }。
till-invite-welcome = 👋 欢迎加入！您现在是<b>{ $role }</b> { $location }。发送 /help 查看可用功能。
till-invite-used = 该邀请已被使用（{ $at }）。请索取新的邀请。
till-invite-expired = 该邀请已于 { $on } 过期。请索取新的邀请。
till-invite-unknown = 该邀请无效。请索取新的邀请。
till-invite-already-admin = 您已经是管理员；邀请留给其他人使用。
till-invite-unknown-role = “{ $word }”不是角色。请发送 /staff invite 加以下角色之一：{ $roles }，再加门店（可选），例如 /staff invite 收银员 南京路店

## points as payment
till-pay-offer = 💳 积分抵扣
till-pay-unavailable = 该会员无法使用积分抵扣（积分不足或未开启）。
till-pay-asked = 已请 { $name } 在其聊天中确认使用 { $points } 积分（−{ $discount }）。结果会通知您。
till-pay-ask-member = 💳 使用 <b>{ $points } 积分</b>（−{ $discount }）抵扣本次 { $amount } 的消费？
till-pay-decline = ✖️ 不用了
till-pay-paid = ✅ 已用 { $points } 积分抵扣 −{ $discount }。余额：{ $balance }。
till-pay-declined = 好的，未使用积分。
till-pay-insufficient = 您的积分已不足（余额 { $balance }），未使用积分。
till-pay-staff-paid = 💳 { $name } 已用积分抵扣。请收取 <b>{ $due }</b>，然后确认：

    { till-purchase-confirm-paid }{ $stamps }
till-pay-staff-declined = { $name } 未使用积分抵扣，请收取全额。
till-pay-staff-unpaid = { $name } 未使用积分抵扣，请收取全额。

    { till-purchase-confirm }{ $stamps }
till-pay-too-late = 收银员已完成这笔消费，未使用积分。

## The merchant's first week (issue 22)
till-invite-used-admin = ✅ { $name } 已使用您的邀请，现在是{ $role ->
        [staff] 收银员
        [marketer] 营销
       *[admin] 管理员
    }{ $location }。发送 /staff 查看所有人员。
till-role-ended = 您在本店的角色（{ $role ->
        [staff] 收银员
        [marketer] 营销
       *[admin] 管理员
    }）已结束，员工命令已从菜单中移除。谢谢您！
till-staff-unseen = （尚未打开机器人）
