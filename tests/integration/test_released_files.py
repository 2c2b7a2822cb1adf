"""Released information (issue 20): the file store keeps bytes by SHA-256, written by rename and read back checked;
the agency's staff release files with the reply (one `release_files` event naming each file and its digest), the
case file holds them byte for byte. On SQLite and PostgreSQL (`services`)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from engine.errors import NotFound, OgiError, PermissionDenied, RuleViolation
from tests.conftest import AGENCY, user
from tests.world import PASSWORD
from workflows.documents.attachments import Upload
from workflows.documents.released import MAX_RELEASED_BYTES, FileStore
from workflows.foi import commands as c
from workflows.people.accounts import Role
from workflows.tables import released_files_table

TABLE = b"\xe5\xb9\xb4\xe5\xba\xa6,\xe9\x87\x91\xe9\xa2\x9d\n2025,100\n"  # a CSV in UTF-8
SCAN = b"%PDF-1.7\n%released\n"


@pytest.fixture
def office(services, tmp_path):
    services.released.files.folder = tmp_path / "released"  # PostgreSQL has no SQLite file to keep them beside
    if services.documents.files is not None:
        services.documents.files.folder = services.released.files.folder
    admin = user(services, "admin")
    services.directory.set_agency(admin, AGENCY, doc_prefix="河东审批", review_body="河东区人民政府",
                                  court="河东区人民法院")
    services.directory.add_agency(admin, "lanshan-xzsp", "蓝山区行政审批服务局")
    services.directory.add_user(admin, "outsider", Role.STAFF, PASSWORD, "外机关经办人", ["lanshan-xzsp"])
    services.requests.receive(c.Receive(at=services.clock.now(), request_id="R-1", agency=AGENCY,
                                        applicant={"kind": "natural_person", "name": "王五"}, channel="in_person",
                                        subject="2025年度部门预算"), user(services, "clerk"))
    return services


# -- the store ------------------------------------------------------------------------------------------------------
def test_the_store_keeps_bytes_by_their_digest_once(tmp_path):
    store = FileStore(tmp_path / "files")
    digest = store.put(SCAN)
    assert digest == hashlib.sha256(SCAN).hexdigest()
    path = tmp_path / "files" / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == SCAN and store.read(digest) == SCAN
    assert store.put(SCAN) == digest
    assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == [path]  # no second copy, no temporary


def test_a_changed_file_is_refused_not_handed_out(tmp_path):
    store = FileStore(tmp_path / "files")
    digest = store.put(SCAN)
    store.path_of(digest).write_bytes(SCAN + b"tampered")
    with pytest.raises(OgiError, match="SHA-256 不一致"):
        store.read(digest)
    assert store.put(SCAN) == digest and store.read(digest) == SCAN  # stored again, the right bytes are back


@pytest.mark.parametrize("given", ["../../etc/passwd", "ab/../../x", "A" * 64, "0" * 63, "", "0" * 64 + "\x00"])
def test_anything_but_a_digest_never_becomes_a_path(tmp_path, given):
    with pytest.raises(NotFound, match="64 位十六进制"):
        FileStore(tmp_path / "files").read(given)


def test_a_crash_before_the_rename_leaves_nothing_under_the_digest(tmp_path, monkeypatch):
    store = FileStore(tmp_path / "files")
    digest = hashlib.sha256(SCAN).hexdigest()

    def crash(source, target):
        raise OSError("power cut")

    monkeypatch.setattr("workflows.documents.released.os.replace", crash)
    with pytest.raises(OSError):
        store.put(SCAN)
    assert not store.path_of(digest).exists()
    assert not [p for p in (tmp_path / "files").rglob("*") if p.is_file()]  # the temporary is cleaned up too
    with pytest.raises(NotFound, match="不在文件存储中"):
        store.read(digest)
    monkeypatch.undo()
    store.path_of(digest).parent.mkdir(parents=True, exist_ok=True)
    (store.path_of(digest).parent / ".incoming-left").write_bytes(SCAN[:3])  # a crash that left its temporary
    assert store.put(SCAN) == digest and store.read(digest) == SCAN


# -- release --------------------------------------------------------------------------------------------------------
def test_released_files_are_in_the_history_with_names_and_digests_art40(office):
    released = office.released.release("R-1", [Upload("预算表.csv", TABLE), Upload("C:\\scans\\说明.pdf", SCAN)],
                                       user(office, "clerk"))
    assert [(f.name, f.sha256, f.media_type) for f in released] == [
        ("预算表.csv", hashlib.sha256(TABLE).hexdigest(), "text/csv"),
        ("说明.pdf", hashlib.sha256(SCAN).hexdigest(), "application/pdf")]
    history = office.queries.history("R-1")
    [event] = [e for e in history["events"] if e["type"] == "information_released"]
    assert [(f["name"], f["sha256"], f["size"]) for f in event["payload"]["files"]] == [
        ("预算表.csv", hashlib.sha256(TABLE).hexdigest(), len(TABLE)),
        ("说明.pdf", hashlib.sha256(SCAN).hexdigest(), len(SCAN))]
    with office.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(released_files_table)).scalar_one() == 2
    found, content = office.released.read("R-1", released[0].sha256, user(office, "clerk"))
    assert (found.name, content) == ("预算表.csv", TABLE)
    with pytest.raises(RuleViolation, match="内容相同，不再重复提供"):
        office.released.release("R-1", [Upload("again.csv", TABLE)], user(office, "clerk"))


def test_only_the_agencys_staff_release_or_open_files(office):
    for who in ("auditor", "outsider"):
        with pytest.raises(PermissionDenied):
            office.released.release("R-1", [Upload("a.txt", b"x")], user(office, who))
    assert not office.released.files.folder.exists()  # refused before a byte reached the disk
    [released] = office.released.release("R-1", [Upload("a.txt", b"x")], user(office, "clerk"))
    with pytest.raises(PermissionDenied, match="个人信息"):
        office.released.read("R-1", released.sha256, user(office, "auditor"))
    with pytest.raises(PermissionDenied):
        office.released.read("R-1", released.sha256, user(office, "outsider"))
    with pytest.raises(NotFound, match="没有提供过"):
        office.released.read("R-1", hashlib.sha256(b"other").hexdigest(), user(office, "clerk"))


def test_no_files_follow_a_reply_that_withholds_art36(office):
    clerk = user(office, "clerk")
    office.documents.draft("R-1", "reply", clerk, outcome="withheld.process_info", note="内部讨论稿。")
    office.documents.approve("R-1", "reply", user(office, "head"))
    office.documents.issue("R-1", "reply", clerk)
    with pytest.raises(RuleViolation, match="不提供信息"):
        office.released.release("R-1", [Upload("a.pdf", SCAN)], clerk)
    assert not office.released.files.folder.exists()  # refused before a byte was stored
    assert not any(e["type"] == "information_released" for e in office.queries.history("R-1")["events"])


@pytest.mark.parametrize(("name", "content", "refusal"), [
    ("", b"x", "没有文件名"),
    ("<script>\x00.txt", b"x", "信息文件文件名"),
    ("a\u202e\x07.txt", b"x", "信息文件文件名"),
    ("长" * 300 + ".txt", b"x", "信息文件文件名"),
    ("empty.txt", b"", "空文件"),
    ("huge.zip", b"P" * (MAX_RELEASED_BYTES + 1), "超过每个 50 MB"),
])
def test_hostile_files_are_refused_in_words_and_nothing_is_written(office, name, content, refusal):
    good = Upload("good.txt", b"fine")
    with pytest.raises(OgiError, match=refusal):
        office.released.release("R-1", [good, Upload(name, content)], user(office, "clerk"))
    assert not office.released.files.folder.exists()
    assert not any(e["type"] == "information_released" for e in office.queries.history("R-1")["events"])


def test_markup_and_full_width_names_are_kept_as_text(office):
    [kept] = office.released.release("R-1", [Upload("<img src=x onerror=alert(1)>ｆｕｌｌ.docx", b"PK\x03\x04rest")], user(office, "clerk"))
    assert kept.name == "<img src=x onerror=alert(1)>ｆｕｌｌ.docx"
    assert kept.media_type.endswith("wordprocessingml.document")


def test_the_case_file_holds_the_released_files_and_their_digests(office):
    clerk = user(office, "clerk")
    office.released.release("R-1", [Upload("预算表.csv", TABLE), Upload("说明.pdf", SCAN)], clerk)
    assert office.documents.files is not None, "bootstrap must hand the App's FileStore to DocumentService(files=…)"
    archive = zipfile.ZipFile(io.BytesIO(office.documents.case_file("R-1", office.queries.history("R-1", viewer=clerk),
                                                                    viewer=clerk)))
    listed = json.loads(archive.read("released.json"))
    manifest = json.loads(archive.read("manifest.json"))
    assert [(e["name"], e["sha256"]) for e in listed] == [("预算表.csv", hashlib.sha256(TABLE).hexdigest()),
                                                          ("说明.pdf", hashlib.sha256(SCAN).hexdigest())]
    for entry, content in zip(listed, (TABLE, SCAN), strict=True):
        assert archive.read(entry["file"]) == content
        assert manifest[entry["file"]] == entry["sha256"]
    office.released.files.path_of(listed[0]["sha256"]).write_bytes(b"changed")
    with pytest.raises(OgiError, match="SHA-256 不一致"):  # a changed file stops the export
        office.documents.case_file("R-1", office.queries.history("R-1", viewer=clerk), viewer=clerk)


def test_ogi_document_release_prints_the_digests(ready, tmp_path):
    ready("request", "new", "--id", "C-1", "--agency", AGENCY, "--kind", "natural_person", "--name", "张三",
          "--channel", "in_person", "--subject", "s")
    table, scan = tmp_path / "预算表.csv", tmp_path / "说明.pdf"
    table.write_bytes(TABLE)
    scan.write_bytes(SCAN)
    done = ready("document", "release", "C-1", str(table), str(scan)).stdout
    assert f"{hashlib.sha256(TABLE).hexdigest()}  {len(TABLE):>10}  预算表.csv" in done
    assert hashlib.sha256(SCAN).hexdigest() in done and "已提供 2 个信息文件" in done
    assert (tmp_path / "cli.db.files").is_dir()  # beside the SQLite file
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    refused = ready("document", "release", "C-1", str(empty), ok=False)
    assert refused.returncode != 0 and "空文件" in refused.stderr
    assert "information_released" in ready("history", "C-1", "--format", "json").stdout
