# Webhooks out: what an admin is told when an endpoint stops accepting deliveries.

webhook-failed-admin =
    ⚠️ Webhook { $endpoint }（{ $host }）在约 33 小时内尝试 { $attempts } 次后仍未接收 { $event } 事件。
    之后的事件仍会继续发送。请用 jifen webhook list 查看失败详情。
