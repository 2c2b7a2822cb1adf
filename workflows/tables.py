"""Tables of the workflow layer: read models (projections) and the directory of agencies and users.

The read models are derived from the event log and can be rebuilt from it (`ogi projections rebuild`).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from engine.adapters.database import metadata

requests_table = Table(
    "requests",
    metadata,
    Column("request_id", String(200), primary_key=True),
    Column("agency", String(100), nullable=False),
    Column("stage", String(40), nullable=False),
    Column("outcome", String(40)),
    Column("applicant_kind", String(40), nullable=False),
    Column("applicant_name", String(200), nullable=False),
    Column("channel", String(40), nullable=False),
    Column("subject", Text, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("clock_start", Date),
    Column("concluded_on", Date),
    Column("reply_due", Date),
    Column("reply_provisional", Boolean, nullable=False),
    Column("next_due", Date),  # the earliest open deadline, for the queue and the reminders
    Column("next_timer_at", DateTime),  # when the next lapse fires (None: none pending): the sweep's index
    Column("deadlines", Text, nullable=False),  # JSON {name: {start, working_days, due, provisional}}
    Column("flags", Text, nullable=False),  # JSON list
    Column("version", Integer, nullable=False),
    Column("cases", Text, nullable=False),  # JSON: review and litigation cases, for table 四
    Column("seal", String(100), nullable=False),  # "key id:HMAC" over every column and the stream hash (integrity/seals.py)
    Column("procedure", String(40)),  # None: disclosure; "record_correction" (Art. 41) is left out of the report
    Index("ix_requests_agency_stage", "agency", "stage"),
    Index("ix_requests_next_due", "next_due"),
    Index("ix_requests_queue", "next_due", "request_id"),  # the queue, a page at a time (workflows/readmodels/queue.py)
    Index("ix_requests_next_timer_at", "next_timer_at"),
)

agencies_table = Table(
    "agencies",
    metadata,
    Column("slug", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("parent", String(100)),
    Column("correction_period_days", Integer, nullable=False),
    Column("reminder_days", String(40), nullable=False, server_default="5,2,0"),  # working days before the reply is due
    Column("webhook_url", String(400)),
    Column("webhook_secret", String(200)),  # signs the webhook's body (HMAC-SHA256); never shown back
    Column("doc_prefix", String(40), nullable=False, server_default=""),  # 文号 prefix, e.g. 河东审批
    Column("review_body", String(200), nullable=False, server_default=""),  # 行政复议机关, e.g. 河东区人民政府
    Column("court", String(200), nullable=False, server_default=""),  # e.g. 河东区人民法院
    Column("vertically_led", Boolean, nullable=False, server_default=false()),  # 垂直管理: review by the next higher
    # the online door (issue 20): whether /apply offers the agency, and how its fee is paid (shown with the notice)
    Column("accepts_online", Boolean, nullable=False, server_default=false()),
    Column("payment_info", Text, nullable=False, server_default=""),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
)

users_table = Table(
    "users",
    metadata,
    Column("username", String(100), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("email", String(200)),
    Column("phone", String(40)),
    Column("department", String(64)),  # the department of the user's agency they work in (部门待办)
    # `ogi user disable`: no sign-in, and their sessions and tokens stop working (the row stays: the log names them)
    Column("disabled", Boolean, nullable=False, server_default=false()),
)

user_agencies_table = Table(  # the agencies a user works for: what they may see in full and act on
    "user_agencies",
    metadata,
    Column("username", String(100), ForeignKey("users.username"), primary_key=True),
    Column("agency", String(100), ForeignKey("agencies.slug"), primary_key=True),
)

calendar_years_table = Table(
    "calendar_years",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("holidays", Text, nullable=False),  # JSON list of ISO dates
    Column("workdays", Text, nullable=False),  # JSON list of ISO dates (调休)
    Column("source", Text, nullable=False),
    Column("version", Integer, nullable=False),  # version of its stream in the event log
)

# Table 二 (主动公开): figures staff enter per agency and year; every change is an event in `register/AGENCY/YEAR`.
register_entries_table = Table(
    "register_entries",
    metadata,
    Column("agency", String(100), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("item", String(40), primary_key=True),
    Column("figures", Text, nullable=False),  # JSON {measure: number as text}
    Column("note", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("version", Integer, nullable=False),  # version of its stream in the event log
)

# A published annual report: its figures and their hash, as also recorded in `report/AGENCY/YEAR`.
published_reports_table = Table(
    "published_reports",
    metadata,
    Column("agency", String(100), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("rollup", Boolean, nullable=False),
    Column("published_at", DateTime, nullable=False),
    Column("published_by", String(100), nullable=False),
    Column("figures", Text, nullable=False),  # canonical JSON of tables 二/三/四
    Column("figures_hash", String(64), nullable=False),
    Column("version", Integer, nullable=False),
)


# -- the running engine (issue 10) ------------------------------------------------------------------------------

# Who was given which task of a request (claims and assignments are events of `assignment/REQUEST_ID`).
task_assignments_table = Table(
    "task_assignments",
    metadata,
    Column("request_id", String(200), primary_key=True),
    Column("task", String(40), primary_key=True),  # a task type, or "handler": the request's 经办人
    Column("assignee", String(100), nullable=False),
    Column("version", Integer, nullable=False),  # version of its stream in the event log
)

# The open tasks of every request, derived from its state and its assignments (workflows/foi/tasks.py).
tasks_table = Table(
    "tasks",
    metadata,
    Column("id", String(260), primary_key=True),  # REQUEST_ID/TYPE
    Column("request_id", String(200), nullable=False),
    Column("agency", String(100), nullable=False),
    Column("type", String(40), nullable=False),
    Column("role", String(20), nullable=False),
    Column("article", String(40), nullable=False),
    Column("label", String(200), nullable=False),
    Column("due", Date),
    Column("assignee", String(100)),
    Column("derived_on", Date, nullable=False),  # some tasks depend on the day (the sweep derives them again)
    Index("ix_tasks_agency_due", "agency", "due"),
    Index("ix_tasks_assignee", "assignee"),
    Index("ix_tasks_request", "request_id"),
)

# Messages to send, written in the transaction that causes them; `dedupe_key` makes a second writer a no-op.
outbox_table = Table(
    "outbox",
    metadata,
    Column("id", String(40), primary_key=True),  # the idempotency key on every channel
    Column("dedupe_key", String(400), nullable=False, unique=True),  # request|kind|channel|recipient[|day]
    Column("channel", String(20), nullable=False),  # email | sms | inbox | webhook
    Column("recipient", String(100)),  # a user name (None for an agency's webhook)
    Column("address", String(400), nullable=False),  # e-mail, phone, URL, or the user name for the inbox
    Column("request_id", String(200)),
    Column("agency", String(100)),
    Column("kind", String(80), nullable=False),  # reminder.reply.2, overdue.reply, lapse.correction…
    Column("deadline_due", Date),  # the due date the message is about: it is cancelled if that date moved
    Column("subject", String(400), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(20), nullable=False),  # pending | sent | parked | cancelled
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("enqueued_at", DateTime),  # when a relay last handed it to the broker
    Column("last_error", Text),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime),
    Index("ix_outbox_status_next", "status", "next_attempt_at"),
    Index("ix_outbox_request", "request_id"),
    Index("ix_outbox_recipient", "recipient", "channel"),
)

# Each scheduler and worker process says it is alive (`ogi health` reads it).
heartbeats_table = Table(
    "heartbeats",
    metadata,
    Column("process", String(200), primary_key=True),  # kind:host:pid
    Column("kind", String(20), nullable=False),  # scheduler | worker | up
    Column("beat_at", DateTime, nullable=False),
    Column("started_at", DateTime, nullable=False),
)


# The last number issued per agency, document type and year: taken under a row lock in the issuing transaction,
# so numbers are gapless (a rolled-back issue gives its number back) and never twice.
document_numbers_table = Table(
    "document_numbers",
    metadata,
    Column("agency", String(100), primary_key=True),
    Column("doc_type", String(40), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last", Integer, nullable=False),
)


departments_table = Table(
    "departments",
    metadata,
    Column("agency", String(100), ForeignKey("agencies.slug"), primary_key=True),
    Column("code", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
)

web_sessions_table = Table(  # a signed-in browser: the cookie's SHA-256, never the cookie itself
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("username", String(100), ForeignKey("users.username"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

api_tokens_table = Table(  # `ogi token create USER`: the token's SHA-256
    "api_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(100), ForeignKey("users.username"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("expires_at", DateTime, nullable=False),  # `ogi token create --days N`
    Column("last_used_at", DateTime),  # to the minute: `ogi token list` shows which are still in use
    Column("revoked_at", DateTime),  # `ogi token revoke ID`
    Column("revoked_by", String(100)),
)

login_failures_table = Table(  # repeated wrong passwords lock the name for a while
    "login_failures",
    metadata,
    Column("username", String(100), primary_key=True),
    Column("failures", Integer, nullable=False),  # attempts since the last success, counted before the check
    Column("locked_until", DateTime),
    Column("last_attempt_at", DateTime),  # rows of names not tried for a day are cleared (unknown names too)
)

attachments_table = Table(  # 附件 of a request (issue 19 item 3): the scans the 受理窗口 received, as received
    "attachments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(200), nullable=False, index=True),
    Column("kind", String(40), nullable=False),  # workflows/documents/attachments.py AttachmentKind
    Column("filename", String(255), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),  # of `content`: listed in the case file's manifest
    Column("content", LargeBinary, nullable=False),
    Column("added_at", DateTime, nullable=False),
    Column("added_by", String(100), nullable=False),
)


# -- the online door (issue 20, workflows/portal/) ----------------------------------------------------------------
portal_submissions_table = Table(  # an application made on /apply (or by a platform), before and after it is filed
    "portal_submissions",
    metadata,
    Column("id", String(64), primary_key=True),  # random: the applicant's browser holds it until the code is typed
    Column("agency", String(100), nullable=False),
    Column("fields", Text, nullable=False),  # the checked form fields (JSON): the `receive` step once verified
    Column("address_key", String(64), nullable=False),  # keyed hash of the client address: the rate limit's, no IP kept
    Column("contact_key", String(64), nullable=False),  # keyed hash of the phone (else the e-mail address)
    Column("code_hash", String(64)),  # the verification code's keyed hash (None: a platform's filing, no code)
    Column("code_channel", String(10)),  # sms | email
    Column("attempts", Integer, nullable=False),  # wrong codes typed
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("filed_at", DateTime),
    Column("request_id", String(200)),
    Column("platform", String(100)),  # the platform token's name, for a filing through the API
    Column("idempotency_key", String(200)),  # the platform's key: one submission, one request
    UniqueConstraint("platform", "idempotency_key", name="uq_portal_submissions_platform_key"),
    Index("ix_portal_submissions_address", "address_key", "created_at"),
    Index("ix_portal_submissions_contact", "contact_key", "created_at"),
)

portal_uploads_table = Table(  # the files of a submission until it is filed (then they are the request's attachments)
    "portal_uploads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", String(64), ForeignKey("portal_submissions.id"), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content", LargeBinary, nullable=False),
)

applicant_codes_table = Table(  # a code sent to the applicant's phone or e-mail to open the applicant's page
    "applicant_codes",
    metadata,
    Column("id", String(64), primary_key=True),  # random: held by the browser between the two steps
    Column("request_id", String(200), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("channel", String(10), nullable=False),  # sms | email
    Column("address_key", String(64), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("used_at", DateTime),
    Index("ix_applicant_codes_request", "request_id", "created_at"),
    Index("ix_applicant_codes_address", "address_key", "created_at"),
)

released_files_table = Table(  # the files of released information: bytes in OGI_FILES_DIR by SHA-256, facts here
    "released_files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("stored_at", DateTime, nullable=False),
)

platform_tokens_table = Table(  # `ogi platform add NAME --agency A`: a 政务服务网 that files applications by the API
    "platform_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("agencies", Text, nullable=False),  # the agencies it may file with, comma-separated
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("revoked_at", DateTime),
)

payment_callbacks_table = Table(  # each payment platform's notice once (its transaction id): a retry records nothing
    "payment_callbacks",
    metadata,
    Column("transaction_id", String(100), primary_key=True),
    Column("request_id", String(200), nullable=False),
    Column("amount_yuan", Float, nullable=False),
    Column("paid_at", DateTime, nullable=False),
    Column("received_at", DateTime, nullable=False),
)
