"""One error tree for the engine; every message says what was wrong with which input."""


class OgiError(Exception):
    """Base of every error ogi reports to a person."""


class CalendarError(OgiError):
    """Bad calendar data or an impossible period."""


class DefinitionError(OgiError):
    """A state-machine definition that cannot be run (unreachable or dead-end state, exit from a final state)."""


class RuleViolation(OgiError):
    """A command the workflow refuses; `rule` names the rule (article of the Regulation or workflow rule)."""

    def __init__(self, message: str, rule: str):
        super().__init__(f"{message} [{rule}]")
        self.rule = rule
        self.reason = message


class ConcurrencyConflict(OgiError):
    """Someone else appended to the same stream first; reload and try again."""


class NotMigrated(OgiError):
    """The database has not been created or is behind the code's migrations."""


class NotFound(OgiError):
    """An identifier that names nothing."""


class PermissionDenied(OgiError):
    """The acting user's role may not do this."""


class TooManyAttempts(OgiError):
    """Too many tries from one address, phone or request in a while (429): wait and try again."""
