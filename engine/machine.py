"""Declarative state machines: states from one Enum, transitions as rows of data, validated when loaded.

A transition row is (sources, command, target, guard, article). A guard is a plain function
`guard(state, command) -> str | None` that returns the reason for refusing, or None to allow; it is
named so the generated docs can list it. The definition is checked at load: every state is reachable
from the initial one, every non-final state can still reach a final one, and nothing leaves a final state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, TypeVar

from engine.errors import DefinitionError, RuleViolation

S = TypeVar("S", bound=Enum)
Guard = Callable[[Any, Any], "str | None"]


@dataclass(frozen=True)
class Transition(Generic[S]):
    sources: tuple[S, ...]
    command: str
    target: S | None  # None: the state stays as it is (a step recorded inside the state)
    article: str
    guards: tuple[Guard, ...] = ()
    label: str = ""
    requires: str = ""  # what must have happened first, in words, for the refusal in any other state

    def target_from(self, source: S) -> S:
        return source if self.target is None else self.target


@dataclass
class MachineDefinition(Generic[S]):
    name: str
    states: type[S]
    initial: S
    finals: frozenset[S]
    transitions: list[Transition[S]]
    state_labels: Mapping[Any, str] = field(default_factory=dict)  # by state (a StrEnum: by its value too)
    # the words of the refusals, given by the definition (the engine knows no workflow's language): a step's short
    # name by command, and what it needs first, by command (else the row's own `label` and `requires`)
    command_labels: Mapping[str, str] = field(default_factory=dict)
    requirements: Mapping[str, str] = field(default_factory=dict)
    system_commands: frozenset[str] = frozenset()  # fired by timers, never offered to a person
    _index: dict[tuple[S, str], Transition[S]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {}
        for row in self.transitions:
            for source in row.sources:
                key = (source, row.command)
                if key in self._index:
                    raise DefinitionError(f"{self.name}: two transitions for {row.command} from {source.name}")
                self._index[key] = row
        self._validate()

    # -- validation -------------------------------------------------------------------------
    def _edges(self) -> dict[S, set[S]]:
        edges: dict[S, set[S]] = {state: set() for state in self.states}
        for (source, _), row in self._index.items():
            edges[source].add(row.target_from(source))
        return edges

    def _validate(self) -> None:
        edges = self._edges()
        for final in self.finals:
            leaving = {t for t in edges[final] if t != final}
            if edges[final]:
                raise DefinitionError(f"{self.name}: final state {final.name} has transitions out of it: {sorted(t.name for t in leaving) or 'to itself'}")
        reachable = _closure({self.initial}, edges)
        unreachable = [s.name for s in self.states if s not in reachable]
        if unreachable:
            raise DefinitionError(f"{self.name}: unreachable states: {', '.join(unreachable)}")
        reverse: dict[S, set[S]] = {state: set() for state in self.states}
        for source, targets in edges.items():
            for target in targets:
                reverse[target].add(source)
        can_finish = _closure(set(self.finals), reverse)
        dead_ends = [s.name for s in self.states if s not in can_finish]
        if dead_ends:
            raise DefinitionError(f"{self.name}: states from which no final state can be reached: {', '.join(dead_ends)}")

    # -- running ----------------------------------------------------------------------------
    def commands_from(self, state: S) -> list[str]:
        return [command for (source, command) in self._index if source == state]

    def transition(self, state: S, command_name: str, command: Any, subject: Any) -> Transition[S]:
        """The row that allows `command_name` in `state`, its guards passed; RuleViolation otherwise."""
        row = self._index.get((state, command_name))
        if row is None:
            raise self._not_possible(state, command_name)
        for guard in row.guards:
            refusal = guard(subject, command)
            if refusal:
                raise RuleViolation(refusal, rule=row.article)
        return row

    def command_label(self, command_name: str) -> str:
        if command_name in self.command_labels:
            return self.command_labels[command_name]
        row = next((row for row in self.transitions if row.command == command_name), None)
        return row.label if row and row.label else command_name

    def _not_possible(self, state: S, command_name: str) -> RuleViolation:
        """The refusal names the state, what the step needs and the steps possible instead, in the definition's
        words, and cites the rule of the step."""
        allowed = "、".join(self.command_label(c) for c in self.commands_from(state) if c not in self.system_commands)
        label = self.state_labels.get(state, state.name)
        rows = [row for row in self.transitions if row.command == command_name]
        possible = f"此时可办理：{allowed}" if allowed else "此时没有可办理的步骤"
        if not rows:
            return RuleViolation(f"没有“{command_name}”这一步骤；申请当前为“{label}”，{possible}", rule="workflow")
        needs = self.requirements.get(command_name) or rows[0].requires or "处于{}状态".format("或".join(
            f"“{self.state_labels.get(s, s.name)}”" for row in rows for s in row.sources))
        return RuleViolation(f"申请当前为“{label}”，不能办理“{self.command_label(command_name)}”：须{needs}；{possible}",
                             rule=rows[0].article)

    # -- documentation ----------------------------------------------------------------------
    def mermaid(self) -> str:
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial.name}"]
        for row in self.transitions:
            for source in row.sources:
                lines.append(f"    {source.name} --> {row.target_from(source).name}: {row.command}")
        for final in sorted(self.finals, key=lambda s: s.name):
            lines.append(f"    {final.name} --> [*]")
        return "\n".join(lines)

    def table_rows(self) -> Iterable[dict[str, str]]:
        for row in self.transitions:
            yield {
                "sources": ", ".join(s.value for s in row.sources),
                "command": row.command,
                "target": row.target.value if row.target is not None else "(unchanged)",
                "guards": ", ".join(g.__name__ for g in row.guards) or "—",
                "article": row.article,
                "label": row.label,
            }


def _closure(start: set[S], edges: dict[S, set[S]]) -> set[S]:
    seen = set(start)
    frontier = list(start)
    while frontier:
        for nxt in edges[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen
