# 流程与确认步骤（handlers/flows.py）：未生效的按键、在按钮步骤输入的文字。
flow-use-buttons = 请使用下方的按钮继续（或取消）。
flow-action-cancelled = 已取消，未做任何更改。
flow-action-expired = 此确认已过期，未做任何更改。请您重新开始。
flow-action-stale = 此按钮属于较早的消息，请您使用最新的消息。
flow-action-in-progress = 正在处理，请稍候…
flow-confirmed = ✅ 已确认。
