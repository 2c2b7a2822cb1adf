"""A refusal as a person reads it, the same on every door: the reason, then （依据：<citation>） when its rule cites a
published rule. web/errors.py's `error_body` says the same for pages and the API; the CLI prints it after "错误：".

RuleViolation's own str() stays "<reason> [<rule>]" for the logs.
"""

from __future__ import annotations

from engine.errors import OgiError
from workflows.foi.citations import cite

# The workflow's own rule codes (the API's `rule`, stable for machines): a refusal under them says in words what is
# wrong and cites no published rule. chronology: steps out of time order or in the future; input: a value no door
# takes; workflow: a step that does not exist; withdrawal: the applicant's withdrawal; timer: a lapse or a recount;
# approval: a document's 审核 is the head's own act; paper: a document drafted, approved, issued in that order;
# import: the import file's format. Every other code is a rule cite() words (Art. 33 ¶2, 109号, 235号); the codes
# in Chinese words (内部办理, 归档, 记录更正) name what a step does and cite nothing.
WORKFLOW_CODES = frozenset({"chronology", "input", "workflow", "withdrawal", "timer", "approval", "paper", "import"})


def refusal_text(error: OgiError) -> str:
    rule = getattr(error, "rule", None)
    message = getattr(error, "reason", None) or str(error)
    if rule and message.endswith(f" [{rule}]"):
        message = message[: -len(rule) - 3]
    citation = cite(rule)
    if citation and citation not in message:
        message = f"{message}（依据：{citation}）"
    return message
