# 会员功能：加入、积分、记录、会员卡、礼品、兑换券、资料、隐私。
member-cmd-balance = 我的积分和等级
member-cmd-card = 我的会员卡（二维码）
member-cmd-rewards = 积分兑换礼品
member-cmd-vouchers = 我的兑换券
member-cmd-history = 积分记录
member-cmd-profile = 我的资料和通知
member-cmd-language = 切换语言
member-cmd-privacy = 导出或删除我的数据
member-cmd-stopoffers = 停止优惠信息（小票和提醒照常发送）

member-menu-balance = 💰 积分
member-menu-card = 🪪 会员卡
member-menu-rewards = 🎁 礼品
member-menu-vouchers = 🎟 兑换券
member-menu-history = 📜 记录
member-menu-profile = 👤 资料
member-menu-shown = 这是您的菜单，请选择：

member-welcome = 欢迎来到 <b>{ $shop }</b>，{ $name }！🎉
    每次消费都能赚积分，积分可以兑换礼品。
    请点击下方按钮分享您的手机号，方便收银时找到您。发送 /language 可切换语言。
member-share-phone = 📱 分享我的手机号
member-skip-phone = 暂时跳过
member-contact-not-yours = 这是别人的联系人。请用下方按钮分享您自己的手机号。
member-phone-saved = 谢谢！已保存您的手机号 { $phone }。
member-consent-ask = 可以给您发送优惠活动和双倍积分日的消息吗？随时可在 /profile 中更改。
member-consent-yes = 👍 好的
member-consent-no = 不用了
member-consent-given = 您将收到我们的优惠信息。👍
member-consent-declined = 好的，不发送优惠信息。您仍会收到小票和提醒。

member-language-ask = 请选择语言：
member-language-set = 语言已切换为简体中文。

member-balance = 💰 您有 <b>{ $points }</b> 积分。
    等级：<b>{ $tier }</b>
member-balance-next-points = 再获得 { $points } 有效积分即可升级为{ $tier }。
member-balance-next-spend = 再消费 { $amount } 即可升级为{ $tier }。
member-balance-negative = ↩️ 余额为负，是因为一笔已退款的消费扣回了您已使用的积分。您接下来获得的 { $points } 积分将先用于补足。
member-balance-top = 您已是最高等级。🏆
member-balance-expiring = ⏳ { $points } 积分将于 { $date } 过期。

member-history-title = 📜 <b>积分记录</b>
member-history-empty = 还没有积分。收银时出示 /card 即可开始赚积分。
member-history-earn = { $date } · 消费 { $amount } → <b>{ $points }</b>（小票 { $receipt }）
    { $how }
member-history-redeem = { $date } · 兑换“{ $reward }” <b>{ $points }</b>
member-history-expire = { $date } · 积分过期 <b>{ $points }</b>
member-history-adjust = { $date } · 积分调整 <b>{ $points }</b>（{ $reason }）
member-history-bonus = { $date } · { $reason ->
    [birthday] 生日奖励
    [referral] 推荐奖励
    [campaign] 活动奖励
   *[other] 奖励积分
} <b>{ $points }</b>
member-history-refund = { $date } · 小票 { $receipt } 退款 <b>{ $points }</b>
member-history-voided = { $date } · 兑换券“{ $reward }”已作废，积分退回 <b>{ $points }</b>

member-card = 🪪 <b>{ $name }</b>
    会员号：<code>{ $code }</code>
    等级：{ $tier }
    收银时出示此二维码即可积分。
member-card-regenerate = 🔄 更换二维码
member-card-regenerate-ask = 要生成新的会员卡二维码吗？旧二维码将立即失效（如果别人有它的照片，请更换）。
member-card-regenerated = 已完成：旧的会员卡二维码已失效，这是新的二维码。

member-rewards-title = 🎁 <b>礼品</b>（您有 { $balance } 积分）
member-rewards-empty = 目前没有适合您的礼品，请稍后再来看看。
member-rewards-line = { $mark } { $name } — { $cost } 积分 · { $stock }
member-reward-stock = 剩余 { $stock } 件
member-reward-stock-unlimited = 有货
member-reward-details = 🎁 <b>{ $name }</b>
    { $description }
    所需积分：<b>{ $cost }</b> · { $stock }
    您的积分：{ $balance }
member-reward-to-go = 🔒 还差 { $missing } 积分
member-reward-missing = 您还需要 <b>{ $missing }</b> 积分才能兑换此礼品。每次消费都会让您更近一步。
member-reward-redeem = 兑换
member-redeem-ask = 用 <b>{ $cost }</b> 积分兑换“{ $name }”吗？您有 { $balance } 积分。
member-redeem-done = ✅ 已用 { $cost } 积分兑换“{ $name }”。剩余积分：{ $balance }。兑换券见下方。
member-redeem-short = 积分不足：还差 { $short } 积分（您有 { $balance }）。未扣除任何积分。
member-redeem-out-of-stock = 抱歉，该礼品已兑完。未扣除任何积分。
member-redeem-tier = 该礼品仅限{ $tier }及以上会员。未扣除任何积分。
member-redeem-limit = { $period ->
    [day] 每天最多兑换 { $limit } 次。
   *[member] 您已达到该礼品的兑换上限（{ $limit }）。
}未扣除任何积分。
member-redeem-minimum = 至少 { $minimum } 积分起兑。未扣除任何积分。
member-redeem-unavailable = 该礼品已下架。

member-voucher = 🎟 <b>{ $reward }</b>
    券码：<code>{ $code }</code>
    有效期至 { $until }。收银时出示此二维码。
member-vouchers-none = 您还没有兑换券。请看 /rewards。
member-vouchers-summary = 🎟 可用兑换券：{ $active } 张
member-vouchers-used = ✔️ { $reward }（<code>{ $code }</code>）于 { $date } 使用
member-vouchers-expired = ✖️ { $reward }（<code>{ $code }</code>）于 { $date } 失效

member-profile = 👤 <b>{ $name }</b>（<code>{ $code }</code>）
    手机：{ $phone }
    生日：{ $birthday }
    语言：{ $language }
    提醒：{ $notifications }
    优惠信息：{ $marketing }
member-profile-unset = 未设置
member-profile-on = 开
member-profile-off = 关
member-profile-toggle-notifications = 🔔 开关提醒
member-profile-toggle-marketing = 📣 开关优惠信息
member-profile-language = 🌐 语言
member-profile-set-birthday = 🎂 设置生日
member-offers-stopped = 🔕 已停止发送优惠信息。小票和提醒照常发送。改变主意？发送 /profile，点击“📣 开关优惠信息”。
member-birthday-ask = 请发送您的生日，格式 YYYY-MM-DD 或 MM-DD（例如 1990-05-17 或 05-17）。生日只能设置一次。
member-birthday-invalid = { $reason ->
    [future] 这个日期在未来，请重新发送您的生日。
    [already-set] 您的生日已经设置过了。如需更正请联系店员。
   *[format] 无法识别这个日期，请按 YYYY-MM-DD 或 MM-DD 格式发送。
}
member-birthday-saved = 🎂 生日已保存：{ $birthday }。

member-privacy = 🔒 您的数据：可以下载我们保存的全部信息，或删除您的账户。
member-privacy-export = 📦 导出我的数据
member-privacy-delete = 🗑 删除我的账户
member-privacy-exported = 这是我们保存的关于您的全部信息。
member-privacy-delete-ask = 确定删除账户吗？您的姓名、手机、生日和 Telegram 关联将被清除，积分作废。此操作无法撤销。
member-privacy-delete-confirm = 🗑 确定删除
member-privacy-deleted = 您的账户已删除。
member-privacy-goodbye = 再见！如想重新加入，发送 /start 即可。

## staff at /start: their own home; members only if they join
member-staff-home = 👋 { $name }，您好！您是{ $shop }的<b>{ $role }</b>。发送 /help 查看全部功能。
member-staff-first-staff = <b>第一步：</b>顾客付款时，用手机相机扫描其会员卡（或发送 /checkout 加手机号或会员码），输入金额并点击“确认”。兑换券：扫描或发送 /redeem 兑换码。
member-staff-first-marketer = <b>第一步：</b>/campaign 创建双倍积分活动，/reward 完善奖励目录，/coupons 生成优惠码，/broadcast 给会员发消息，/report 查看效果。
member-staff-first-admin = <b>第一步：</b>发送 /staff invite 收银员 邀请收银员（对方扫码即可），/rules 设置消费如何获得积分；收银和营销的功能您也都可以使用。
member-staff-home-join = 员工不是会员。如需自己积累积分，请加入会员。
member-staff-home-member = 您也是会员：/balance、/card 和 /rewards 同样可用。
member-staff-join = 加入会员
member-staff-joined = ✅ 您已加入会员。
member-staff-not-member = 这是会员功能，您（还）不是会员。
member-phone-skipped = 没问题：以后可以在 /profile 里留手机号。
member-contact-hint = 请点下方的“📱 分享我的手机号”，或直接输入手机号（如 138 0013 8000），或点“暂时跳过”。
member-phone-typed-taken = 这个号码已经属于一个会员账户。要把它关联到您，请点下方的“📱 分享我的手机号”：Telegram 会向商家证明这是您的号码。
