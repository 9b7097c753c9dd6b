# /broadcast：营销人员撰写消息、选择受众、预览、立即发送或定时发送，并查看进度。
# 消息本身是营销人员自己的文字（notices.ftl 中的 broadcast-text）。需要格式时以 parse_mode=HTML 发送。

broadcast-cmd = 群发消息给会员
broadcast-list = <b>📣 最近的群发</b>
    { $lines }
broadcast-list-line = #{ $id } · { $status ->
        [scheduled] ⏰ 已定时
        [sending] 📤 发送中
        [done] ✅ 已完成
        [cancelled] ✋ 已取消
       *[other] { $status }
    } · { $when } · 已送达 { $sent }/{ $total }，屏蔽 { $blocked }，失败 { $failed }，未发送 { $cancelled }
broadcast-list-empty = 还没有群发。
broadcast-new-button = ✏️ 新建群发
broadcast-cancel-button = ✋ 取消群发 #{ $id }

broadcast-ask-text = 请发送要群发给会员的内容：文字，或带说明文字的图片。内容会按原样发送。
broadcast-text-too-long = 内容不能为空，且不能超过 { $limit } 个字符（需为“如何退订”的说明留出空间）。请重新发送。
broadcast-ask-button-choice = 要在消息下方添加一个链接按钮吗？
broadcast-add-button = 🔗 添加按钮
broadcast-no-button = 不添加
broadcast-ask-button = 请按以下格式发送按钮：文字 | https://链接（例如：立即下单 | https://shop.example/menu）。
broadcast-button-invalid = { $reason ->
        [url] 链接必须是完整的 https:// 地址。
        [text] 按钮文字需为 1 到 64 个字符。
       *[format] 请按以下格式发送按钮：文字 | https://链接
    }

broadcast-choose-audience = 发送给谁？（只发给同意接收优惠信息的会员，屏蔽了机器人的会员不会收到。）
broadcast-audience-all = 所有已订阅会员
broadcast-audience-tier = 某个等级
broadcast-audience-language = 某种语言
broadcast-audience-inactive = N 天未消费
broadcast-audience-birthday = 本月生日
broadcast-audience-spent = 90 天内消费满 X
broadcast-audience-at-risk = 流失风险会员
broadcast-choose-tier = 哪个等级？
broadcast-choose-language = 哪种语言？
broadcast-language-en = English
broadcast-language-zh-hans = 简体中文
broadcast-ask-days = 多少天未消费？请发送一个数字，例如 30。
broadcast-ask-spend = 最近 90 天至少消费多少？请发送金额，例如 500。
broadcast-audience = { $kind ->
        [tier] { $value }等级会员
        [language] 使用{ $value }的会员
        [inactive] { $value } 天未消费的会员
        [birthday] 本月生日的会员
        [spent] 最近 90 天消费满 { $value } 的会员
        [at_risk] 有流失风险的会员（曾经常来、最近没来）
       *[all] 所有已订阅会员
    }

broadcast-summary = <b>📣 群发 #{ $id }</b>
    受众：{ $audience }
    当前收件人数：<b>{ $count }</b>{ $photo ->
        [yes] {"\u000A"}附带图片
       *[no] {""}
    }{ $button ->
        [none] {""}
       *[other] {"\u000A"}按钮：{ $button }
    }
    语言版本：{ $languages }
broadcast-preview-button = 👁 预览
broadcast-version-button = 🌐 { $lang ->
        [en] English
       *[zh-Hans] 中文
    }版本
broadcast-ask-version = 请发送给使用{ $language }的会员的内容（有图片时为图片说明）。其他会员收到您最先写的内容。
broadcast-send-now-button = 📤 立即发送
broadcast-schedule-button = ⏰ 定时发送
broadcast-change-audience-button = 👥 更改受众
broadcast-confirm-send = 现在把群发 #{ $id } 发送给 { $count } 位会员吗？
broadcast-queued = 📣 群发 #{ $id }：已排队…
broadcast-ask-time = 什么时候发送？请按 YYYY-MM-DD HH:MM 格式发送日期和时间（{ $tz }）。
broadcast-time-invalid = { $reason ->
        [past] 这个时间已经过去了，请发送一个将来的时间。
       *[format] 请按 YYYY-MM-DD HH:MM 格式发送时间，例如 { $example }（{ $tz }）。
    }
broadcast-scheduled = ⏰ 群发 #{ $id } 已定于 { $at }（{ $tz }）发送；按现在计算将有 { $count } 位会员收到。此消息将显示发送进度。
broadcast-cancelled = ✋ 群发 #{ $id } 已取消；{ $withdrawn } 条消息未发送。
broadcast-not-cancellable = 群发 #{ $id } 已经结束或已取消。
broadcast-not-draft = 此群发已经发送、已定时或已放弃。

## The merchant's first week (issue 22)
broadcast-preview-version = 👁 阅读{ $language }的会员收到的样子：
