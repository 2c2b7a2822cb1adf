"""What every command group shares: the App from the composition root, the acting user, errors, dates, output."""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import os
import shutil
import socket
import sys
import traceback
import uuid
from pathlib import Path
from typing import overload

import click

from bootstrap import App, bootstrap
from engine.adapters.rendering import render
from engine.errors import OgiError, PermissionDenied
from workflows.foi.refusal_text import refusal_text
from workflows.people.access import ROLE_LABELS
from workflows.people.accounts import ADMIN_USERNAME, User
from workflows.requests.importer import parse_moment
from workflows.requests.input_limits import check_values

__all__ = ["app", "acting_user", "reading_user", "fail", "handle_errors", "moment", "program", "render", "write_atomically"]


def fail(message: str, code: int = 1) -> None:
    """错误：<what is wrong>（依据：…）on stderr, in the words the pages show (refusal_text), and exit `code`."""
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


def handle_errors(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            check_values(kwargs)  # every text argument within its column's limit, valid Unicode (requests/input_limits.py)
            return function(*args, **kwargs)
        except OgiError as error:
            fail(refusal_text(error), exit_code_of(error))
        except UnicodeEncodeError as error:  # bytes that are not UTF-8 in an argument or file name
            bad = error.object[error.start:error.end].encode("utf-8", "surrogateescape")
            fail(f"输入的内容不是有效的 UTF-8 文本（字节 {bad!r}），未写入任何内容")
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as error:  # a bug: no traceback on the screen (it may quote personal data)
            if os.environ.get("OGI_DEBUG") == "1":
                raise
            error_id, where = log_internal_error(error)
            fail(f"内部错误，错误编号 {error_id}：事务已回滚，未写入任何内容。详情记录在 {where} 中该编号下，"
                 "请告知管理员", code=INTERNAL_ERROR)
    return wrapper


INTERNAL_ERROR = 70  # EX_SOFTWARE
NOT_PERMITTED = 77  # EX_NOPERM: the acting user's role or agency may not do this (PermissionDenied), whatever the verb


def exit_code_of(error: OgiError) -> int:
    if isinstance(error, PermissionDenied):
        return NOT_PERMITTED
    return getattr(error, "exit_code", 1)


def log_internal_error(error: BaseException) -> tuple[str, str]:
    """Append the full exception to the error log (OGI_ERROR_LOG, default ogi-errors.log here), readable by the
    service's user only: it may hold personal data, which the screen and the terminal's scrollback must not."""
    error_id = uuid.uuid4().hex[:12]
    path = Path(os.environ.get("OGI_ERROR_LOG", "ogi-errors.log"))
    text = "".join(traceback.format_exception(error))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as log:
            log.write(f"--- {error_id} {dt.datetime.now().isoformat(timespec='seconds')} {' '.join(sys.argv[1:2])}\n{text}")
        return error_id, str(path)
    except OSError:
        return error_id, "（错误日志无法写入）"


@functools.lru_cache(maxsize=1)
def app() -> App:
    """The one App of this process, built from the environment (a command runs once per process)."""
    return bootstrap(origin=origin())


def origin() -> str:
    """The operating-system user and host of this command (the CLI is the administrators' tool on the server)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        user = f"uid {os.getuid()}"
    return f"cli {user}@{socket.gethostname()}"


def acting_user(function=None, *, writes: bool = True):
    """Adds `--as USER` (default: OGI_USER, else the administrator made by `ogi init`); an unknown user is refused by
    name. A writing command says on stderr whom it acts as; the services refuse what that user may not do
    (workflows/people/access.py), with exit 77 for every verb. `@acting_user(writes=False)` (`reading_user`) for reads."""
    if function is None:
        return functools.partial(acting_user, writes=writes)

    @click.option("--as", "as_user", default=lambda: os.environ.get("OGI_USER", ADMIN_USERNAME), show_default="admin",
                  help="the user who makes this change (recorded in the log)" if writes else "the user who reads")
    @functools.wraps(function)
    @handle_errors
    def wrapper(*args, as_user: str, **kwargs):
        user = app().directory.user(as_user)
        if writes:
            click.echo(acting_as(user), err=True)
        return function(*args, user=user, **kwargs)
    return wrapper


reading_user = acting_user(writes=False)


def acting_as(user: User) -> str:
    """以 zhang（经办人，河东区行政审批服务局）身份操作: who the log will name, and where they work."""
    names = {row.slug: row.name for row in app().directory.agencies()}
    where = "、".join(names.get(slug, slug) for slug in sorted(user.agencies))
    return f"以 {user.username}（{ROLE_LABELS[user.role]}{'，' + where if where else ''}）身份操作"


@overload
def moment(value: str) -> dt.datetime: ...
@overload
def moment(value: str | None) -> dt.datetime | None: ...
def moment(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return parse_moment(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def program() -> str:
    """How to type `ogi` here: plain `ogi` when that is on the PATH, else the path of the one running now."""
    running = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    found = shutil.which("ogi")
    if running is None or running.name != "ogi" or (found and Path(found).resolve() == running):
        return "ogi"
    try:
        return str(running.relative_to(Path.cwd()))
    except ValueError:
        return str(running)


def write_atomically(path: Path, content: str | bytes) -> None:
    """A half-written file never replaces a good one: write beside it, then rename."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise OgiError(f"无法写入文件 {path}：{error.strerror}") from None
