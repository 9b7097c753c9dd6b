# 共用文案：错误、按钮和多处使用的词。
common-not-allowed = 抱歉，此功能仅限{ $role ->
    [admin] 管理员
    [marketer] 营销人员
   *[staff] 店员
}使用。
common-button-expired = 此按钮已失效，请重新开始。
common-error = 系统出了点问题，未做任何更改，请重试。
common-cancelled = 已取消，未做任何更改。
common-confirm = ✅ 确认
common-cancel = ✖️ 取消
common-back = ◀️ 返回
common-next = 下一页 ▶️
common-page = 第 { $page } / { $pages } 页
common-unknown-command = 我不认识这个命令。发送 /help 查看我能做什么。
common-not-a-number = “{ $text }”不是数字，请发送类似 { $example } 的数字。
common-points = { $points } 积分
common-hint-member = 没看懂这条消息。请用下方菜单按钮（💰 积分、🪪 会员卡、🎁 礼品……），或发送 /help。
common-hint-staff = 没看懂这条消息。请扫会员卡或券码、输入券码，或发送 /help 查看收银命令。
common-hint-marketer = 没看懂这条消息。发送 /campaign、/broadcast 或 /rewards，或发送 /help 查看全部功能。
common-hint-admin = 没看懂这条消息。发送 /report、/rules 或 /staff，或发送 /help 查看全部功能。
