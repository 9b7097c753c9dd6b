# The sandbox web page (bot/emulator/static), served by bot/sandbox/page.py.
sandbox-title = jifen sandbox
sandbox-subtitle = The real bot, no Telegram needed. Every chat is a person; try them side by side.
sandbox-role-member = Member
sandbox-role-cashier = Cashier
sandbox-role-admin = Admin
sandbox-role-marketer = Marketer
sandbox-input-placeholder = Message
sandbox-send = Send
sandbox-attach = Send a photo
sandbox-commands = Commands
sandbox-no-commands = No commands yet: press Start first.
sandbox-start = Start
sandbox-empty = No messages yet. Press Start to talk to the bot.
sandbox-scan-with = Scan with { $name }'s phone
sandbox-scan-title = Point a phone at this code
sandbox-scan-hint = Whoever scans it opens the link inside it, as a phone camera would.
sandbox-close = Close
sandbox-download = Download
sandbox-typing = typing…
sandbox-edited = edited
sandbox-offline = Connection lost, reconnecting…
sandbox-error = Could not do that: { $reason }
sandbox-bot = bot
sandbox-ok = OK
sandbox-share-contact = Shared phone number

# The time control and the tools panel in the page's header (bot/sandbox/static/clock.js,
# served by bot/sandbox/timecontrol.py). { $day }, { $days }, { $command } are filled in by
# the page.
sandbox-clock-label = Sandbox time
sandbox-clock-hour = +1 hour
sandbox-clock-day = +1 day
sandbox-clock-week = +1 week
sandbox-clock-month = +30 days
sandbox-clock-date = Jump to a date
sandbox-clock-go = Go
sandbox-clock-hint = Moving time runs every job that falls due on the way, in order: expiry sweeps and reminders, birthday bonuses, tier reviews, win-back offers, scheduled broadcasts, campaign starts and ends. Their messages arrive in the chats.
sandbox-clock-progress = Moving time: day { $day } of { $days }…
sandbox-clock-busy = Time is already moving: wait until it arrives.
sandbox-clock-bad-date = That is not a date: pick one in the calendar (YYYY-MM-DD).
sandbox-clock-not-ahead = Pick a later time: time only moves forward.
sandbox-clock-too-far = At most two years ahead in one jump.
sandbox-clock-failed = Moving time stopped: { $reason }
sandbox-tools = API & tools
sandbox-tools-title = Everything a real deployment serves
sandbox-tools-key = Demo API key (made when this sandbox started; keep it for your tries):
sandbox-tools-curl = Record a purchase from a terminal (the member's receipt arrives in the chat):
sandbox-tools-api = The HTTP API: /api/v1 (reference: /api/v1/openapi.json)
sandbox-tools-miniapp = The Mini App: member's card and cashier's scanner
sandbox-tools-cli = Every jifen command works on the sandbox's database: { $command }
sandbox-tools-no-member = No member to record for yet: join as a member first, then open this again.
sandbox-copy = Copy
sandbox-copied = Copied
sandbox-console = Console
