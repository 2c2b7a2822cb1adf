"""The outbox's codes as people read them: a message's status and channel (the CLI's lists, the refusals)."""

STATUS_WORDS = {"pending": "等待发送", "sending": "正在发送", "sent": "已发送", "parked": "发送失败", "cancelled": "已取消"}
CHANNEL_WORDS = {"email": "电子邮件", "sms": "短信", "inbox": "站内消息", "webhook": "消息推送"}  # as /admin shows them
