"""The department a user works in (部门待办): set by an administrator, one of the departments of the user's own
agencies (workflows/people/departments.py). Without one, the 部门待办 view lists nothing for them."""

from __future__ import annotations

from sqlalchemy import Connection, update

from engine.errors import OgiError
from workflows.people.accounts import ROLE_NAMES, Role, User, get_user
from workflows.people.departments import Department, list_departments
from workflows.tables import users_table

DEPARTMENT_ROLES = frozenset({Role.STAFF, Role.HEAD})  # who handles a department's requests


def department_choices(conn: Connection, user: User) -> list[Department]:
    """The departments `user` may be put in: those of the agencies they work for."""
    return [d for agency in sorted(user.agencies) for d in list_departments(conn, agency)]


def set_user_department(conn: Connection, username: str, department: str) -> Department | None:
    """Put `username` in `department` (its code or its name; "" takes them out of any). Refused in words: a role that
    works in no department, a user of no agency, a department not among their agencies'."""
    user = get_user(conn, username)
    wanted = department.strip()
    if wanted:
        if user.role not in DEPARTMENT_ROLES:
            raise OgiError(f"部门：{user.display_name}是{ROLE_NAMES[user.role]}，只有经办人和负责人归属承办部门")
        choices = department_choices(conn, user)
        if not user.agencies:
            raise OgiError(f"部门：{user.display_name}尚未归属任何机关，请先为其设置所属机关")
        found = [d for d in choices if wanted in (d.code, d.name)]
        if not found:
            known = "、".join(f"{d.name}（{d.code}）" for d in choices) or "尚无部门，部门由管理员添加"
            raise OgiError(f"部门：{user.display_name}所属机关没有“{wanted[:60]}”这个部门（可选：{known}）")
        if len({d.code for d in found}) > 1:
            raise OgiError(f"部门：“{wanted[:60]}”在{user.display_name}所属的几个机关中都有，请写部门代码")
        chosen: Department | None = found[0]
    else:
        chosen = None
    conn.execute(update(users_table).where(users_table.c.username == username)
                 .values(department=chosen.code if chosen else None))
    return chosen
