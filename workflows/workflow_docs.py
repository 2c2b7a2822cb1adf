"""Print docs/workflow.md from the workflow definition: `python -m workflows.workflow_docs > docs/workflow.md`."""

from __future__ import annotations

from engine.adapters.rendering import render
from workflows.foi.articles import ARTICLES
from workflows.foi.definition import WORKFLOW


def workflow_markdown() -> str:
    return render("docs/workflow.md.j2",
                  states=[*WORKFLOW.states], labels=WORKFLOW.state_labels, initial=WORKFLOW.initial,
                  finals=WORKFLOW.finals, mermaid=WORKFLOW.mermaid(), rows=list(WORKFLOW.table_rows()),
                  articles=ARTICLES)


if __name__ == "__main__":
    print(workflow_markdown(), end="")
