"""The CLI matrix (issue 17 item 3): every `ogi` verb that writes or reads a request, a document, a task or a report,
run as staff of another agency, as an auditor, as staff and as the head of the agency. Who is allowed comes from the
same table as the web's role × route matrix (workflows/people/access.py POLICY); a refusal is the same for every verb:
exit 77 and the policy's message. Writing verbs say on stderr whom they act as.

One database for the module, and the click app called in-process (CliRunner): a subprocess costs about a second.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from cli import common
from cli.common import NOT_PERMITTED
from cli.main import main
from tests.builders import request_line
from tests.conftest import AGENCY
from tests.world import AGENCY_NAME
from workflows.people.access import READING_ACTIONS, Action, allows
from workflows.people.accounts import Role

OTHER = "lanshan-xzsp"
YEAR = str(dt.date.today().year)
REPORT = ("--year", YEAR, "--agency", AGENCY)
# who runs the verbs: (role, works for the request's agency)
ACTORS = {"outsider": (Role.STAFF, False), "auditor": (Role.AUDITOR, False), "clerk": (Role.STAFF, True),
          "head": (Role.HEAD, True)}

# (verb, its arguments — {who} and {tmp} filled in per actor —, the action it takes in the policy table)
VERBS: list[tuple[str, tuple[str, ...], Action]] = [
    ("request new", ("request", "new", "--id", "N-{who}", "--agency", AGENCY, "--kind", "natural_person", "--name",
                     "张三", "--channel", "in_person", "--subject", "s"), Action.WRITE_REQUEST),
    ("request act", ("request", "act", "Q-1", "ask_reasons"), Action.WRITE_REQUEST),
    ("import", ("import", "{tmp}/import-{who}.jsonl"), Action.WRITE_REQUEST),
    ("history", ("history", "Q-1", "--format", "json"), Action.READ_REQUEST),
    ("request deadline", ("request", "deadline", "Q-1"), Action.READ_REQUEST),
    ("request list", ("request", "list", "--agency", AGENCY), Action.READ_REQUEST),
    ("request similar", ("request", "similar", "--agency", AGENCY), Action.READ_REQUEST),
    ("request export", ("request", "export", "Q-1", "-o", "{tmp}/case-{who}.zip"), Action.EXPORT_CASE_FILE),
    ("document list", ("document", "list", "Q-1"), Action.READ_DOCUMENT),
    ("document draft", ("document", "draft", "Q-1", "receipt"), Action.WRITE_DOCUMENT),
    ("document approve", ("document", "approve", "Q-1", "receipt"), Action.APPROVE_DOCUMENT),
    ("document issue", ("document", "issue", "Q-1", "receipt"), Action.WRITE_DOCUMENT),
    ("document serve", ("document", "serve", "Q-1", "receipt", "--method", "personal"), Action.WRITE_DOCUMENT),
    ("document return", ("document", "return", "Q-1", "receipt", "--reason", "拒收"), Action.WRITE_DOCUMENT),
    ("document render", ("document", "render", "Q-1", "receipt", "-o", "{tmp}/doc-{who}.html"), Action.READ_DOCUMENT),
    ("document release", ("document", "release", "Q-1", "{tmp}/information.csv"), Action.WRITE_DOCUMENT),
    ("task list", ("task", "list", "--agency", AGENCY), Action.READ_TASKS),
    ("task claim", ("task", "claim", "Q-1/draft_reply"), Action.ASSIGN_TASK),
    ("task assign", ("task", "assign", "Q-1/draft_reply", "clerk"), Action.ASSIGN_TASK),
    ("report annual", ("report", "annual", *REPORT), Action.READ_REPORT),
    ("report cell", ("report", "cell", *REPORT, "--row", "new", "--column", "total"), Action.READ_REPORT),
    ("report publish", ("report", "publish", "--year", str(int(YEAR) - 1), "--agency", AGENCY),
     Action.PUBLISH_REPORT),
    ("register set", ("register", "set", *REPORT, "--item", "rules", "--issued", "1"), Action.WRITE_REGISTER),
    ("register show", ("register", "show", *REPORT), Action.READ_REPORT),
    ("register history", ("register", "history", *REPORT), Action.READ_REPORT),
]
# the verbs that name a request, a task or an agency and are not in VERBS: what they are instead
NOT_IN_THE_MATRIX = {
    "agency add", "agency set", "agency list", "department add", "department list", "user add",  # administration
    "platform add", "platform list", "platform revoke",  # administration: the 政务服务网 that file by the API
    "timers run", "fee quote", "demo load",  # every agency (the sweep), no agency, the embedded demo
    "approval list", "approval approve", "approval reject",  # the 审批 list: tests/integration/test_approvals.py
    "outbox list",  # messages, not requests: an administrator's tool
}


def run(*args: str, who: str | None = None):
    return CliRunner().invoke(main, [*args, *(["--as", who] if who else [])], catch_exceptions=False)


@pytest.fixture(scope="module")
def cli_world(tmp_path_factory):
    """One database: two agencies, a request Q-1 of AGENCY, and the actors; the click app in this process."""
    tmp = tmp_path_factory.mktemp("cli-access")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OGI_DATABASE_URL", f"sqlite:///{tmp / 'cli.db'}")
        env.setenv("OGI_ADMIN_PASSWORD", "secret-pw")
        env.setenv("OGI_NEW_USER_PASSWORD", "secret-pw")
        env.setenv("OGI_ERROR_LOG", str(tmp / "errors.log"))
        env.delenv("OGI_USER", raising=False)
        common.app.cache_clear()  # the App of this process is built from the environment above
        for args in (("init",), ("agency", "add", AGENCY, "--name", AGENCY_NAME),
                     ("agency", "add", OTHER, "--name", "蓝山区行政审批服务局"),
                     ("agency", "set", AGENCY, "--doc-prefix", "河东审批", "--review-body", "河东区人民政府",
                      "--court", "河东区人民法院"),
                     ("user", "add", "clerk", "--role", "staff", "--agency", AGENCY),
                     ("user", "add", "head", "--role", "head", "--agency", AGENCY),
                     ("user", "add", "outsider", "--role", "staff", "--agency", OTHER),
                     ("user", "add", "auditor", "--role", "auditor"),
                     ("request", "new", "--id", "Q-1", "--agency", AGENCY, "--kind", "natural_person", "--name", "王五",
                      "--channel", "in_person", "--subject", "2025年度部门预算")):
            done = run(*args)
            assert done.exit_code == 0, f"ogi {' '.join(args)}: {done.output}"
        yesterday = dt.datetime.now() - dt.timedelta(days=1)
        for who in ACTORS:
            (tmp / "information.csv").write_text("年度,预算（万元）\n2025,120\n", encoding="utf-8")
            (tmp / f"import-{who}.jsonl").write_text(json.dumps(request_line(f"IMP-{who}", yesterday),
                                                                ensure_ascii=False) + "\n", encoding="utf-8")
        yield tmp
        common.app.cache_clear()


@pytest.mark.parametrize("who", list(ACTORS))
def test_every_verb_answers_every_actor_as_the_policy_table_says(cli_world, who):
    role, own = ACTORS[who]
    for verb, template, action in VERBS:
        args = [part.format(who=who, tmp=cli_world) for part in template]
        result = run(*args, who=who)
        said = result.stderr
        if allows(role, action, own):
            assert result.exit_code != NOT_PERMITTED and "无权" not in said, f"{who} {verb}: {said}"
        else:
            last = said.splitlines()[-1]
            assert result.exit_code == NOT_PERMITTED and last.startswith("错误："), \
                f"{who} {verb}: exit {result.exit_code}: {said}"
            if not own and allows(role, action, own_agency=True):  # staff of another agency: the same refusal
                assert "无权" in last and f"{who}（经办人）不在" in last and "或其上级机关工作" in last, f"{who} {verb}"


@pytest.mark.parametrize("who", list(ACTORS))
def test_writing_verbs_say_whom_they_act_as_and_reading_verbs_do_not(cli_world, who):
    role, _ = ACTORS[who]
    expected = {"outsider": "以 outsider（经办人，蓝山区行政审批服务局）身份操作", "auditor": "以 auditor（审计）身份操作",
                "clerk": f"以 clerk（经办人，{AGENCY_NAME}）身份操作", "head": f"以 head（负责人，{AGENCY_NAME}）身份操作"}[who]
    for verb, template, action in VERBS:
        said = run(*[part.format(who=who, tmp=cli_world) for part in template], who=who).stderr
        if action in READING_ACTIONS:
            assert "身份操作" not in said, f"{who} {verb}"
        else:
            assert said.splitlines()[:1] == [expected], f"{who} {verb}: {said}"


def test_the_default_actor_is_the_administrator_and_ogi_user_chooses_another(cli_world, monkeypatch):
    assert run("request", "act", "Q-1", "confirm_receipt").stderr.splitlines()[0] == "以 admin（系统管理员）身份操作"
    monkeypatch.setenv("OGI_USER", "outsider")
    refused = run("history", "Q-1")
    assert refused.exit_code == NOT_PERMITTED and "outsider" in refused.stderr


def test_the_matrix_covers_every_verb_that_names_a_request_a_task_or_an_agency():
    covered = {verb for verb, _, _ in VERBS}
    missing = []
    for path, command in _commands(main):
        names = {p.name for p in command.params}
        if names & {"request_id", "task_id", "agency", "file"} and path not in covered | NOT_IN_THE_MATRIX:
            missing.append(path)
    assert not missing, f"add these verbs to VERBS (or say why not in NOT_IN_THE_MATRIX): {missing}"


def _commands(group, prefix: str = ""):
    for name, command in group.commands.items():
        path = f"{prefix} {name}".strip()
        if hasattr(command, "commands"):
            yield from _commands(command, path)
        else:
            yield path, command
