# 在其他渠道（导入、网店、收银系统）登记的会员绑定 Telegram 账号。

enrol-linked = 🎉 欢迎回来，{ $name }！已找到您的会员资料：<b>{ $balance }</b> 积分，等级 { $tier }。所有记录都在这里了。
enrol-phone-has-history = 这个手机号属于门店登记的会员，但您的 Telegram 账号已有自己的积分记录。请到收银台请店员为您合并。
enrol-link-joined = 🎉 您的会员资料已绑定到这个 Telegram 账号：<b>{ $balance }</b> 积分，等级 { $tier }。
enrol-link-own = 这个会员资料已经是您的了。
enrol-link-has-history = 这个加入链接属于门店登记的会员，但您的 Telegram 账号已有自己的积分记录。请到收银台请店员为您合并。
enrol-link-used = 这个加入链接已被使用。如果这是您的会员资料，请向门店索取新的链接。
enrol-link-unknown = 这个加入链接无效。请检查链接，或向门店索取新的链接。
enrol-link-staff = 这是顾客的加入链接：请顾客在自己的手机上打开，以绑定会员资料。
member-history-opening = { $date } · 转入积分 <b>{ $points }</b>（来自 { $source }）

api-error-phone-taken = 这个手机号属于另一位会员（{ $member_code }）。
api-error-member-deleted = 这个外部编号对应的会员已注销账号。
