"""The online door (issue 20): what the applicant's own page and the 电子送达 add to a request's history.

- `release_files`: the information given to the applicant (files, each by its SHA-256; the bytes are kept outside the
  log, content-addressed), so the log and the case file say exactly what was released (Art. 36(1), 37, 40).
- `record_download`: the applicant opened a served document or a released file on the page (evidence of receipt).
- `choose_notices`: the applicant turned the milestone messages (e-mail, SMS) off or on again.

The consent to electronic service is a fact of the application (`Receive.electronic_service`); the service itself is
the `deliver`/`serve_document` step with method `electronic` and its `evidence` (docs/readings.md). Pure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.machine import Transition
from workflows.foi.commands import Command
from workflows.foi.event_types import EventType
from workflows.foi.state import ReleasedFile, RequestState, Stage
from workflows.foi.vocabulary import Outcome

SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_RELEASED_FILES = 50  # one reply's attachments; more is a bundle for a disc or a visit
DOWNLOAD_ITEMS = ("document", "file")
# a reply that provides information: released files belong to these outcomes (or to a reply not yet decided)
PROVIDING = frozenset({Outcome.DISCLOSED, Outcome.PARTIAL})
RELEASE_STAGES = (Stage.PROCESSING, Stage.DECIDED, Stage.SERVED)
APPLICANT_STAGES = tuple(s for s in Stage if s not in (Stage.NEW, Stage.CLOSED))  # an archived file takes no event


@dataclass(frozen=True)
class ReleaseFiles(Command):
    name = "release_files"
    event_type = EventType.INFORMATION_RELEASED
    files: tuple = field(default_factory=tuple)  # ({"name", "sha256", "size", "media_type"}, …)


@dataclass(frozen=True)
class RecordDownload(Command):
    name = "record_download"
    event_type = EventType.APPLICANT_DOWNLOADED
    item: str = "document"  # document | file
    ref: str = ""  # the document's number, or the file's SHA-256
    sha256: str = ""  # of the bytes handed out


@dataclass(frozen=True)
class ChooseNotices(Command):
    name = "choose_notices"
    event_type = EventType.APPLICANT_NOTICES_CHOSEN
    enabled: bool = True


ONLINE_COMMANDS: dict[str, type[Command]] = {c.name: c for c in (ReleaseFiles, RecordDownload, ChooseNotices)}
APPLICANT_COMMANDS = frozenset({RecordDownload.name, ChooseNotices.name})  # the applicant's own acts on the page


# -- guards ---------------------------------------------------------------------------------------------------------
def files_fit(state: RequestState, cmd: ReleaseFiles) -> str | None:
    if not cmd.files:
        return "请选择要提供给申请人的信息文件"
    if len(cmd.files) + len(state.released) > MAX_RELEASED_FILES:
        return f"一件申请最多提供 {MAX_RELEASED_FILES} 个信息文件，请合并或改用其他方式提供"
    for item in cmd.files:
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            return "每个信息文件须有文件名"
        if not SHA256.fullmatch(str(item.get("sha256") or "")):
            return f"信息文件“{str(item.get('name'))[:40]}”缺少有效的 SHA-256 摘要"
        if not isinstance(item.get("size"), int) or item["size"] <= 0:
            return f"信息文件“{str(item.get('name'))[:40]}”是空文件"
    if state.outcome is not None and state.outcome not in PROVIDING:
        return "本申请的答复不提供信息（不予公开、无法提供或不予处理），不能附上信息文件"
    return None


def electronic_service_consented(state: RequestState, cmd) -> str | None:
    """235号: a paper is served electronically (on the applicant's page) only with the applicant's consent, given on
    applying; an imported history states its own service and is not asked for a consent ogi never recorded. The
    guard of `serve_document` and `deliver`, so no door serves electronically without it."""
    if getattr(cmd, "method", None) != "electronic" or state.electronic_service or state.imported_from:
        return None
    return "电子送达须经申请人同意：本申请的申请人未同意通过网上查询页电子送达文书，请选择直接送达或邮寄送达"


def download_names_what(state: RequestState, cmd: RecordDownload) -> str | None:
    if cmd.item not in DOWNLOAD_ITEMS or not cmd.ref:
        return "下载记录须写明下载的是文书（document）还是信息文件（file）及其编号"
    return None


# -- evolve ---------------------------------------------------------------------------------------------------------
def released(state: RequestState, p: dict, day: dt.date) -> RequestState:
    files = tuple(ReleasedFile(str(f["name"]), str(f["sha256"]), int(f["size"]), str(f.get("media_type") or ""), day)
                  for f in p.get("files", ()))
    return state.but(released=state.released + files)


def downloaded(state: RequestState, p: dict, day: dt.date) -> RequestState:
    first = state.first_download_on or day
    return state.but(downloads=state.downloads + 1, first_download_on=first)


def notices_chosen(state: RequestState, p: dict, day: dt.date) -> RequestState:
    return state.but(applicant_notices=bool(p.get("enabled", True)))


EVOLVE: dict[str, Callable[[RequestState, dict, dt.date], RequestState]] = {
    EventType.INFORMATION_RELEASED: released,
    EventType.APPLICANT_DOWNLOADED: downloaded,
    EventType.APPLICANT_NOTICES_CHOSEN: notices_chosen,
}

T = Transition
TRANSITIONS: list[Transition[Stage]] = [
    T(RELEASE_STAGES, ReleaseFiles.name, None, "Art. 36, 37, 40", (files_fit,), "提供信息文件（随答复送达）",
      "a request being processed, decided or served, whose reply provides information"),
    T(APPLICANT_STAGES, RecordDownload.name, None, "电子签名法 Art. 11", (download_names_what,), "申请人下载文书或信息文件",
      "a request received"),
    T(APPLICANT_STAGES, ChooseNotices.name, None, "电子签名法 Art. 11", (), "申请人设置是否接收进展通知",
      "a request received"),
]
