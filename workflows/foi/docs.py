"""Print docs/workflow.md from the workflow definition: `python -m workflows.foi.docs > docs/workflow.md`."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from workflows.foi.definition import WORKFLOW

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def workflow_markdown() -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True)
    return env.get_template("docs/workflow.md.j2").render(
        states=list(WORKFLOW.states), labels=WORKFLOW.state_labels, initial=WORKFLOW.initial,
        finals=WORKFLOW.finals, mermaid=WORKFLOW.mermaid(), rows=list(WORKFLOW.table_rows()),
    )


if __name__ == "__main__":
    print(workflow_markdown(), end="")
