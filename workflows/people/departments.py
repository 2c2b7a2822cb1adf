"""The departments under an agency (承办部门): set up by an administrator; a request's department steps must name one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from engine.errors import NotFound, OgiError
from workflows.people.accounts import get_agency
from workflows.tables import departments_table

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass(frozen=True)
class Department:
    agency: str
    code: str
    name: str


def add_department(conn: Connection, agency: str, code: str, name: str) -> Department:
    get_agency(conn, agency)
    if not CODE_PATTERN.match(code):
        raise OgiError(f"部门代码（code）“{code}”只能由小写字母、数字和 - 组成（如 zhengce-ke）")
    if not name.strip():
        raise OgiError("须填写部门名称（name），如 政策法规科")
    if find_department(conn, agency, code) is not None:
        raise OgiError(f"机关“{agency}”已有代码为“{code}”的部门")
    conn.execute(insert(departments_table).values(agency=agency, code=code, name=name.strip()))
    return Department(agency, code, name.strip())


def find_department(conn: Connection, agency: str, code: str) -> Department | None:
    d = departments_table.c
    row = conn.execute(select(departments_table).where((d.agency == agency) & (d.code == code))).first()
    return Department(row.agency, row.code, row.name) if row else None


def require_department(conn: Connection, agency: str, code: str) -> Department:
    found = find_department(conn, agency, code)
    if found is None:
        known = "、".join(d.code for d in list_departments(conn, agency)) or "尚无部门"
        raise NotFound(f"机关“{agency}”没有代码为“{code}”的部门（已有：{known}），部门由管理员添加")
    return found


def list_departments(conn: Connection, agency: str | None = None) -> list[Department]:
    d = departments_table.c
    query = select(departments_table).order_by(d.agency, d.code)
    if agency is not None:
        query = query.where(d.agency == agency)
    return [Department(r.agency, r.code, r.name) for r in conn.execute(query)]
