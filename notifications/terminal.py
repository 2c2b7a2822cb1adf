"""The demo's messenger: with the demo loaded and neither OGI_SMTP_URL nor OGI_SMS_URL set, `ogi up` (and so
`make run`) shows each SMS and e-mail on its terminal instead of holding it, so a visitor trying /apply or /my can
read the verification code there. Never in `ogi worker`, never once a real channel is configured: a code on a
terminal is a secret on a screen."""

from __future__ import annotations

from collections.abc import Callable

from notifications.message import OutgoingMessage, mask_recipient

CHANNEL_WORDS = {"sms": "短信", "email": "电子邮件"}


class TerminalMessenger:
    def __init__(self, channel: str, say: Callable[[str], None]):
        self.channel, self.say = channel, say

    def __repr__(self) -> str:
        return f"TerminalMessenger({self.channel})"

    def send(self, message: OutgoingMessage) -> None:
        self.say(f"【演示：未配置{CHANNEL_WORDS.get(self.channel, '消息')}通道，消息显示在此】发往 "
                 f"{mask_recipient(message.to)}：{message.subject}\n{message.body.strip()}")
