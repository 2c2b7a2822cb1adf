"""Escaping by construction (issue 17 §1): every HTML template is autoescaped by the one Jinja2 environment, whatever
the data. Hostile text goes into every field a person can type (applicant name, address and subject, a department,
an agency and a user's display name, a document's note, the query parameters `error`, `as_of`, `agency`, `role`,
`next`, the lookup's id); every HTML template under templates/ is rendered through the pages that use it, and no
page may carry an element, an attribute or an htmx attribute that came from the data."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from jinja2 import Environment, Undefined, meta

from engine.adapters.rendering import TEMPLATES_DIR, WEB_TEMPLATES_DIR, environment, is_escaped, render
from tests.conftest import AGENCY, user
from tests.web_client import csrf, signed_in
from tests.world import PASSWORD
from web.app import create_app
from workflows.documents.attachments import Upload
from workflows.foi import commands as c
from workflows.people.accounts import Role

SCRIPT = "<script>x</script>"
BREAKOUT = '"><img src=x onerror=1>'
HTMX = '<div hx-post="/admin/users" hx-trigger="load">'
PAYLOAD = SCRIPT + BREAKOUT + HTMX
NAME = "张" + PAYLOAD  # not the subject: others see the name masked wherever it is quoted (personal_data.py)
RAW_FRAGMENTS = (SCRIPT, "<img src=x", "<div hx-post", 'onerror=1>')
YEAR = 2026


class _Elements(HTMLParser):
    """Every element and attribute of a page, and the text of its scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def assert_escaped(html: str, where: str) -> None:
    """No fragment of the payload written raw, and no element, attribute or script that the payload would make."""
    for fragment in RAW_FRAGMENTS:
        assert fragment not in html, f"{where}: {fragment!r} written unescaped"
    elements = _Elements()
    elements.feed(html)
    for tag, attrs in elements.tags:
        assert not (tag == "img" and "onerror" in attrs), f"{where}: an <img onerror> from data"
        assert "onerror" not in attrs and "hx-trigger" not in attrs, f"{where}: <{tag} {attrs}> from data"
        htmx = {name for name in attrs if name.startswith("hx-")}
        assert htmx <= OGI_HTMX_ATTRIBUTES, f"{where}: htmx attributes {htmx - OGI_HTMX_ATTRIBUTES} from data on <{tag}>"
        if "hx-headers" in attrs:  # JSON that htmx reads: data in it stays a value, adds no header
            assert set(json.loads(attrs["hx-headers"] or "")) == {"X-CSRF-Token"}, f"{where}: hx-headers {attrs}"
    assert "x" not in [text.strip() for text in elements.scripts], f"{where}: a <script> from data"


def _htmx_attributes_in_templates() -> frozenset[str]:
    return frozenset(name for path in TEMPLATES_DIR.rglob("*.j2")
                     for name in re.findall(r"\b(hx-[a-z-]+)=", path.read_text(encoding="utf-8")))


OGI_HTMX_ATTRIBUTES = _htmx_attributes_in_templates()  # those ogi writes itself (hx-headers on <body>)


def html_templates() -> set[str]:
    """Every template that produces HTML, by the name the environment loads it by."""
    names = set()
    for path in TEMPLATES_DIR.rglob("*"):
        if path.is_file() and is_escaped(path.name):
            base = WEB_TEMPLATES_DIR if path.is_relative_to(WEB_TEMPLATES_DIR) else TEMPLATES_DIR
            names.add(path.relative_to(base).as_posix())
    return names


@pytest.fixture
def rendered(monkeypatch) -> set[str]:
    """The names of the templates loaded while the test runs (pages, their base, includes, documents, reports)."""
    env = environment()
    names: set[str] = set()
    original = env._load_template

    def recording(name, globals):
        names.add(name)
        return original(name, globals)

    monkeypatch.setattr(env, "_load_template", recording)
    return names


@pytest.fixture
def hostile(sqlite_services):
    services = sqlite_services
    admin = user(services, "admin")
    services.directory.set_agency(admin, AGENCY, doc_prefix="河东审批", review_body="河东区人民政府", court="河东区人民法院")
    services.directory.add_agency(admin, "evil-agency", PAYLOAD)
    services.directory.add_department(admin, AGENCY, "evil", PAYLOAD)
    services.directory.add_user(admin, "evil", Role.STAFF, PASSWORD, PAYLOAD, [AGENCY])
    services.requests.receive(c.Receive(at=services.clock.now(), request_id="X-1", agency=AGENCY, channel="in_person",
                                        subject=PAYLOAD, applicant={"kind": "natural_person", "name": NAME,
                                                                    "address": "地址" + PAYLOAD}), user(services, "clerk"))
    services.requests.receive(c.Receive(at=services.clock.now(), request_id="E-1", agency="evil-agency",
                                        channel="in_person", subject=PAYLOAD,
                                        applicant={"kind": "natural_person", "name": NAME}), admin)
    services.documents.draft("X-1", "reply", user(services, "clerk"), outcome="disclosed", note=PAYLOAD)
    services.requests.act("X-1", c.AssignDepartment(at=services.clock.now(), department="evil"), user(services, "clerk"))
    return services


def _users(services) -> set[str]:
    return {u.username for u in services.directory.users()}


def test_every_html_template_escapes_hostile_data(hostile, rendered):
    hostile.clock.advance_to(hostile.clock.now() + dt.timedelta(days=60))  # X-1 overdue: its department on a chart
    before = _users(hostile)
    admin, clerk, head = signed_in(hostile, "admin"), signed_in(hostile, "clerk"), signed_in(hostile, "head")
    hostile.intake.attachments.add("X-1", [Upload(PAYLOAD + ".pdf", b"%PDF-1.4\n")], user(hostile, "clerk"))
    p = quote(PAYLOAD, safe="")
    visits = [
        (admin, "/requests/X-1"), (clerk, "/requests/X-1"), (admin, "/requests/E-1"), (admin, "/requests"),
        (admin, "/tasks"), (clerk, "/tasks"), (admin, f"/tasks?role={p}"), (admin, f"/requests?agency={p}"),
        (clerk, f"/requests?agency={p}"), (admin, f"/requests/X-1?as_of={p}"), (admin, "/requests/new"),
        (admin, "/admin"), (admin, "/admin/calendar/2026"), (head, "/approvals"), (admin, "/inbox"), (admin, "/audit"),
        (admin, f"/audit/replay?request_id={p}&as_of={p}"), (admin, "/stats"), (admin, "/stats?agency=evil-agency"),
        (admin, "/reports"), (admin, f"/reports/evil-agency/{YEAR}"), (admin, f"/reports/{AGENCY}/{YEAR}?as_of={p}"),
        (admin, f"/reports?agency={p}"), (admin, f"/stats?agency={p}"), (clerk, f"/stats?agency={p}"),
        (admin, f"/reports/{p}/{YEAR}"), (clerk, f"/reports/evil-agency/{YEAR}"),
        (admin, f"/reports/evil-agency/{YEAR}/cell?row=new&column=total"), (admin, f"/reports/evil-agency/{YEAR}.html"),
        (clerk, "/requests/X-1/documents/reply.html"), (clerk, "/requests/X-1/attachments"),
        (clerk, "/requests/X-1/registered"), (clerk, "/requests/X-1/documents/reply/edit"),
        (admin, f"/requests/{p}"), (admin, "/logout"),
        (TestClient(create_app(hostile)), f"/login?error={p}&next={p}"), (TestClient(create_app(hostile)), "/lookup"),
    ]
    for client, path in visits:
        answer = client.get(path)
        assert answer.status_code < 500, f"GET {path}: {answer.status_code}"
        assert_escaped(answer.text, f"GET {path}")
    for client in (admin, clerk):  # the subject, shown to both; the name in full to the agency's staff
        shown = client.get("/requests/X-1").text
        assert "&lt;script&gt;x&lt;/script&gt;" in shown and "hx-post=&#34;/admin/users&#34;" in shown  # as text
    assert "张&lt;script&gt;x&lt;/script&gt;" in clerk.get("/requests/X-1").text
    assert "&lt;script&gt;" in clerk.get("/requests/X-1/documents/reply.html").text  # the note in the document
    assert "· &lt;script&gt;" in admin.get("/stats").text  # the department's name, on the SVG chart's bar
    form = admin.get("/requests/new").text
    posted = admin.post("/requests/new", data={"csrf_token": csrf(form), "agency": AGENCY, "kind": "natural_person",
                                               "name": PAYLOAD, "subject": "", "channel": "in_person",
                                               "address": PAYLOAD})
    assert_escaped(posted.text, "POST /requests/new (refused, the values shown again)")
    anonymous = TestClient(create_app(hostile))
    looked_up = anonymous.post("/lookup", data={"request_id": PAYLOAD, "query_code": PAYLOAD})
    assert_escaped(looked_up.text, "POST /lookup")
    assert _users(hostile) == before  # no administrator (nor anyone) was made by opening a page
    _visit_the_online_door(hostile)
    missing = html_templates() - rendered
    assert not missing, f"HTML templates this test never rendered (add a page that shows them): {sorted(missing)}"


def _visit_the_online_door(hostile) -> None:
    """/apply, /my and the released files' page (issue 20) with hostile data everywhere the applicant types it."""
    from tests.e2e.test_portal_apply import apply, open_online, sent_code
    from tests.e2e.test_portal_my import sign_in

    open_online(hostile)
    clerk = signed_in(hostile, "clerk")
    hostile.released.release("X-1", [Upload(PAYLOAD + ".txt", b"x")], user(hostile, "clerk"))
    assert_escaped(clerk.get("/requests/X-1/released").text, "GET /requests/X-1/released")
    visitor = TestClient(create_app(hostile))
    for path in ("/apply", "/apply/code", "/apply/done", "/my", "/my/code", "/my/documents/9.pdf"):
        assert_escaped(visitor.get(path).text, f"GET {path}")  # a form, or the page that says what is missing
    refused = apply(visitor, applicant_name=PAYLOAD, subject=PAYLOAD, id_number="12345", address=PAYLOAD)
    assert refused.status_code == 422 and "&lt;script&gt;x&lt;/script&gt;" in refused.text  # typed values, as text
    assert_escaped(refused.text, "POST /apply (refused)")
    at_the_boundary = apply(visitor, applicant_name=PAYLOAD + "\x00")  # refused before any route, in the portal's look
    assert at_the_boundary.status_code == 422 and "返回申请表" in at_the_boundary.text, at_the_boundary.text
    assert_escaped(at_the_boundary.text, "POST /apply (refused at the input boundary)")
    held = apply(visitor, applicant_name=NAME, subject=PAYLOAD, address="地址" + PAYLOAD, agent_name="")
    assert held.status_code == 303, held.text
    assert_escaped(visitor.get("/apply/code").text, "GET /apply/code")
    code_page = visitor.get("/apply/code").text
    filed = visitor.post("/apply/code", data={"code": sent_code(hostile), "csrf_token": csrf(code_page)})
    assert_escaped(filed.text, "GET /apply/done")
    request_id = re.search(r'id="request-id"[^>]*>\s*([^<\s]+)', filed.text).group(1)
    sign_in(visitor, hostile, request_id)
    page = visitor.get("/my/request").text
    assert_escaped(page, "GET /my/request")
    assert "&lt;script&gt;x&lt;/script&gt;" in page  # the subject, as text


class Hostile(str):
    """The hostile text, that is also whatever else a template asks of its data: any attribute or item is more
    hostile text, so is a call or a sum; it iterates as two more (a pair, when unpacked)."""

    def __new__(cls, depth: int = 0):
        text = super().__new__(cls, PAYLOAD)
        text.depth = depth
        return text

    def more(self) -> Hostile:
        return Hostile(self.depth + 1)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self.more()

    def __getitem__(self, key):
        return str.__getitem__(self, key) if isinstance(key, slice) else self.more()

    def __call__(self, *args, **kwargs):
        return self.more()

    def __iter__(self):
        return iter([] if self.depth > 6 else [self.more(), self.more()])

    def __len__(self):
        return 2

    def __hash__(self):
        return str.__hash__(self)

    def __float__(self):
        return 1.0

    def __int__(self):
        return 1

    def _arithmetic(self, *other):
        return self.more()

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __floordiv__ = __mod__ = _arithmetic

    def __lt__(self, other):
        return False

    __le__ = __gt__ = __ge__ = __lt__


class _HostileEnvironment(Environment):
    """The production environment's loader, escaping and globals; data that is Hostile answers every look-up."""

    def getitem(self, obj, argument):
        if isinstance(obj, Hostile):
            return obj.more()
        found = super().getitem(obj, argument)
        return Hostile() if isinstance(argument, Hostile) and isinstance(found, Undefined) else found

    def getattr(self, obj, attribute):
        return obj.more() if isinstance(obj, Hostile) else super().getattr(obj, attribute)


def _hostile_context(env: Environment, name: str) -> dict:
    """Every variable the template (and the templates it extends or includes) reads, as hostile text."""
    names, todo = set(), [name]
    while todo:
        source, _, _ = env.loader.get_source(env, todo.pop())
        tree = env.parse(source)
        names |= meta.find_undeclared_variables(tree)
        todo += [ref for ref in meta.find_referenced_templates(tree) if ref]
    return {variable: Hostile() for variable in names if variable not in env.globals}


@pytest.mark.parametrize("name", sorted(html_templates()))
def test_every_html_template_escapes_every_field_when_every_field_is_hostile(name):
    import web.templating  # noqa: F401 — the pages' globals (ROLE_LABELS, EVENT_LABELS) on the environment

    base = environment()
    env = _HostileEnvironment(loader=base.loader, undefined=base.undefined, autoescape=base.autoescape,
                              keep_trailing_newline=True)
    env.globals.update(base.globals)
    try:
        html = env.get_template(name).render(**_hostile_context(env, name))
    except (ValueError, TypeError) as shape:  # e.g. rows unpacked as triples: the pages test renders it with data
        pytest.skip(f"{name} needs data of its own shape ({shape}); test_every_html_template_escapes_hostile_data "
                    "renders it")
    assert_escaped(html, name)
    if _hostile_context(env, name):  # a template that reads no data (a base, a file of macros) prints none
        assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_a_document_page_escapes_every_field():
    """documents/page.html.j2 alone, every field hostile (the title, the number, the agency, each paragraph)."""
    html = render("documents/page.html.j2", title=PAYLOAD, number=PAYLOAD, state_label=PAYLOAD, masked_note=PAYLOAD,
                  paragraphs=[PAYLOAD, PAYLOAD], agency_name=PAYLOAD, date=PAYLOAD, form_like=False, addressee=PAYLOAD,
                  attachments=[PAYLOAD], note=PAYLOAD)
    assert_escaped(html, "documents/page.html.j2")
    # every field once, the title and the number twice (head and page)
    assert html.count("&lt;script&gt;x&lt;/script&gt;") == 12


@pytest.mark.parametrize("name", ["request.html.j2", "x.html", "report/annual.html.j2", "chart.svg.j2", "a.xml.j2"])
def test_every_html_name_is_escaped(name):
    assert is_escaped(name)


@pytest.mark.parametrize("name", ["cli/history.txt.j2", "documents/reply.txt.j2", "docs/workflow.md.j2"])
def test_plain_text_is_not_escaped(name):
    """Plain text (the CLI, documents' text, messages) is never escaped: `&lt;` would be wrong there."""
    assert not is_escaped(name)


def test_a_web_page_escapes_through_the_same_environment():
    """The pages' templates are the one environment's (no second, unescaped one)."""
    from web.templating import templates

    assert templates.env is environment()
    assert "&lt;b&gt;" in environment().from_string("{{ x }}").render(x="<b>")


def test_a_request_registered_with_htmx_and_script_is_shown_as_text_to_the_admin(hostile):
    """The attack of the issue: a clerk registers a request whose applicant name is an htmx element posting to
    /admin/users and whose subject is a script; the admin opens the request, the list and the queue."""
    before = _users(hostile)
    clerk, admin = signed_in(hostile, "clerk"), signed_in(hostile, "admin")
    form = clerk.get("/requests/new").text
    registered = clerk.post("/requests/new", follow_redirects=False,
                            data={"csrf_token": csrf(form), "agency": AGENCY, "kind": "natural_person", "name": HTMX,
                                  "channel": "in_person", "subject": SCRIPT, "id": "HX-1"})
    assert registered.status_code == 303 and registered.headers["location"] == "/requests/HX-1/registered"
    for path in ("/requests/HX-1", "/requests", "/tasks"):
        answer = admin.get(path)
        assert answer.status_code == 200
        assert_escaped(answer.text, f"GET {path} as admin")
    page = admin.get("/requests/HX-1").text
    assert "&lt;script&gt;x&lt;/script&gt;" in page  # the subject, as text
    assert HTMX not in clerk.get("/requests/HX-1").text and "&lt;div hx-post=&#34;/admin/users&#34;" in \
        clerk.get("/requests/HX-1").text  # the name in full to the agency's staff, as text
    assert _users(hostile) == before
