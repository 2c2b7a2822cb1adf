"""A refusal as a person reads it, the same on every door: the reason, then （依据：<citation>） when its rule cites a
published rule. web/errors.py's `error_body` says the same for pages and the API; the CLI prints it after "错误：".

RuleViolation's own str() stays "<reason> [<rule>]" for the logs.
"""

from __future__ import annotations

from engine.errors import OgiError
from workflows.foi.citations import cite


def refusal_text(error: OgiError) -> str:
    rule = getattr(error, "rule", None)
    message = getattr(error, "reason", None) or str(error)
    if rule and message.endswith(f" [{rule}]"):
        message = message[: -len(rule) - 3]
    citation = cite(rule)
    if citation and citation not in message:
        message = f"{message}（依据：{citation}）"
    return message
