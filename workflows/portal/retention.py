"""How long the online door keeps what people typed before it became a request (PIPL Art. 19: no longer than the
purpose needs). A submission never verified holds a stranger's name, ID number and phone: it is deleted, with its
scans, a day after its last code could have been typed (RESEND_SPAN). A filed submission keeps only its link to the
request (the request holds the application) and the keyed digests the rate limits count; its copy of the form is
emptied. Sign-in codes are deleted a day after they were sent. The sweep runs it (bootstrap: Sweeper.housekeeping).
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, delete, select, update

from workflows.portal.limits import RESEND_SPAN
from workflows.tables import applicant_codes_table, portal_submissions_table, portal_uploads_table

KEPT_FOR = dt.timedelta(days=1)  # past the longest window a limit counts (a day): nothing to count afterwards
EMPTIED = json.dumps({"form": {}, "sent": []})


def forget_stale_submissions(conn: Connection, now: dt.datetime) -> int:
    """Delete what was never filed and empty what was; returns how many submissions were deleted or emptied."""
    s, u, codes = portal_submissions_table.c, portal_uploads_table.c, applicant_codes_table.c
    cutoff = now - RESEND_SPAN - KEPT_FOR
    stale = select(s.id).where(s.filed_at.is_(None), s.platform.is_(None), s.created_at < cutoff)
    conn.execute(delete(portal_uploads_table).where(u.submission_id.in_(stale)))
    deleted = conn.execute(delete(portal_submissions_table).where(s.id.in_(stale))).rowcount
    emptied = conn.execute(update(portal_submissions_table)
                           .where(s.filed_at.is_not(None), s.filed_at < now - KEPT_FOR, s.fields != EMPTIED)
                           .values(fields=EMPTIED)).rowcount
    conn.execute(delete(applicant_codes_table).where(codes.created_at < now - KEPT_FOR))
    return deleted + emptied
