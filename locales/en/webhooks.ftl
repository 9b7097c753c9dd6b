# Webhooks out: what an admin is told when an endpoint stops accepting deliveries.

webhook-failed-admin =
    ⚠️ Webhook { $endpoint } ({ $host }) did not accept a { $event } event after { $attempts } attempts over about 33 hours.
    Later events are still sent. See the failures with: jifen webhook list
