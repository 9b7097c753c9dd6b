# /broadcast: a marketer composes a message, picks an audience, previews, sends or
# schedules it, and follows its progress. The message itself is the marketer's own text
# (locale key broadcast-text in notices.ftl). Sent with parse_mode=HTML where formatted.

broadcast-cmd = Message members (broadcast)
broadcast-list = <b>📣 Recent broadcasts</b>
    { $lines }
broadcast-list-line = #{ $id } · { $status ->
        [scheduled] ⏰ scheduled
        [sending] 📤 sending
        [done] ✅ done
        [cancelled] ✋ cancelled
       *[other] { $status }
    } · { $when } · { $sent }/{ $total } delivered, { $blocked } blocked, { $failed } failed, { $cancelled } not sent
broadcast-list-empty = No broadcasts yet.
broadcast-new-button = ✏️ New broadcast
broadcast-cancel-button = ✋ Cancel broadcast #{ $id }

broadcast-ask-text = Send the message for your members: text, or a photo with a caption. It is sent exactly as you write it.
broadcast-text-too-long = The message must not be empty and at most { $limit } characters long (room is kept for the line on how to stop offers). Please send it again.
broadcast-ask-button-choice = Add a link button under the message?
broadcast-add-button = 🔗 Add a button
broadcast-no-button = No button
broadcast-ask-button = Send the button as: text | https://link (for example: Order now | https://shop.example/menu).
broadcast-button-invalid = { $reason ->
        [url] The link must be a full https:// address.
        [text] The button text must be 1 to 64 characters.
       *[format] Please send the button as: text | https://link
    }

broadcast-choose-audience = Who should receive it? (Only members who agreed to receive offers, and never those who blocked the bot.)
broadcast-audience-all = Everyone opted in
broadcast-audience-tier = A tier
broadcast-audience-language = A language
broadcast-audience-inactive = Inactive for N days
broadcast-audience-birthday = Birthday this month
broadcast-audience-spent = Spent at least X (90 days)
broadcast-audience-at-risk = At risk (gone quiet)
broadcast-choose-tier = Which tier?
broadcast-choose-language = Which language?
broadcast-language-en = English
broadcast-language-zh-hans = 简体中文
broadcast-ask-days = Inactive for how many days? Send a number, e.g. 30.
broadcast-ask-spend = Spent at least how much in the last 90 days? Send an amount, e.g. 500.
broadcast-audience = { $kind ->
        [tier] members of tier { $value }
        [language] members reading { $value }
        [inactive] members without a purchase for { $value } days
        [birthday] members with a birthday this month
        [spent] members who spent at least { $value } in the last 90 days
        [at_risk] members at risk (regulars who have gone quiet)
       *[all] everyone who opted in
    }

broadcast-summary = <b>📣 Broadcast #{ $id }</b>
    Audience: { $audience }
    Recipients now: <b>{ $count }</b>{ $photo ->
        [yes] {"\u000A"}With a photo
       *[no] {""}
    }{ $button ->
        [none] {""}
       *[other] {"\u000A"}Button: { $button }
    }
    Versions: { $languages }
broadcast-preview-button = 👁 Preview
broadcast-version-button = 🌐 { $lang ->
        [en] English
       *[zh-Hans] 中文
    } version
broadcast-ask-version = Send the message for members who read { $language } (a photo's caption if it has one). The others get the text you wrote first.
broadcast-send-now-button = 📤 Send now
broadcast-schedule-button = ⏰ Schedule
broadcast-change-audience-button = 👥 Change audience
broadcast-confirm-send = Send broadcast #{ $id } to { $count ->
        [one] { $count } member
       *[other] { $count } members
    } now?
broadcast-queued = 📣 Broadcast #{ $id }: queued…
broadcast-ask-time = When should it go out? Send the date and time as YYYY-MM-DD HH:MM ({ $tz }).
broadcast-time-invalid = { $reason ->
        [past] That time has already passed. Please send a time in the future.
       *[format] Please send the time as YYYY-MM-DD HH:MM, for example { $example } ({ $tz }).
    }
broadcast-scheduled = ⏰ Broadcast #{ $id } is scheduled for { $at } ({ $tz }); { $count ->
        [one] { $count } member would receive it now.
       *[other] { $count } members would receive it now.
    } This message will show its progress.
broadcast-cancelled = ✋ Broadcast #{ $id } is cancelled; { $withdrawn ->
        [one] { $withdrawn } message was not sent.
       *[other] { $withdrawn } messages were not sent.
    }
broadcast-not-cancellable = Broadcast #{ $id } has already finished or was cancelled.
broadcast-not-draft = This broadcast was already sent, scheduled or discarded.

## The merchant's first week (issue 22)
broadcast-preview-version = 👁 As members who read { $language } get it:
