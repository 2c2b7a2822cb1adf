"""E-mail delivery throughput: outbox messages per second through the Deliverer with two workers, against a
local SMTP server (aiosmtpd on loopback), on PostgreSQL (issue 10). The baseline in the same run is plain
`smtplib` sending the same messages with no outbox (no claim, no marking), so the ratio shows the outbox's cost.

    python -m benchmarks.delivery [--messages 2000] [--workers 2] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import smtplib
import socket
import threading
import time

from aiosmtpd.controller import Controller

from benchmarks.common import DEFAULT_POSTGRES_URL, fresh_database, load_average, make_services
from engine.clock import SystemClock, VirtualClock
from notifications import outbox
from notifications.delivery import Deliverer
from notifications.email import SmtpSender
from notifications.webhook import WebhookSender


class Count:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_threads(workers: int, ids: list[str], send) -> float:
    shares = [ids[i::workers] for i in range(workers)]
    threads = [threading.Thread(target=lambda share=share: [send(i) for i in share]) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def write_messages(app, count: int) -> list[str]:
    now = SystemClock().now() - dt.timedelta(minutes=1)  # due at once for the deliverer, which runs on real time
    messages = [(outbox.new_id(), outbox.NewMessage(f"bench|{n}", "email", "zhang", "zhang@hedong.gov.cn", None,
                                                    None, "benchmark", None, f"【提醒】第{n}条", "正文" * 100))
                for n in range(count)]
    with app.engine.begin() as conn:
        return outbox.write(conn, messages, now)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    args = parser.parse_args()
    print(load_average())
    counter = Count()
    controller = Controller(counter, hostname="127.0.0.1", port=free_port())
    controller.start()
    sender = SmtpSender.from_url(f"smtp://127.0.0.1:{controller.port}", "ogi@hedong.gov.cn")
    try:
        with fresh_database("postgresql", args.postgres_url) as url:
            app, _ = make_services(url, VirtualClock(dt.datetime(2026, 11, 27, 8)))
            ids = write_messages(app, args.messages)
            deliverer = Deliverer(app.engine, SystemClock(), sender, None, WebhookSender())
            ogi = in_threads(args.workers, ids, deliverer.deliver)
            baseline = in_threads(args.workers, [f"plain-{n}" for n in range(args.messages)],
                                  lambda i: _plain_send(controller.port, i))
            app.close()
    finally:
        controller.stop()
    assert counter.received == 2 * args.messages, counter.received
    print(f"postgresql, {args.workers} workers, {args.messages} e-mails to aiosmtpd on loopback: outbox delivery "
          f"{args.messages / ogi:.0f} messages/s; baseline plain smtplib {args.messages / baseline:.0f} messages/s; "
          f"outbox throughput is {baseline / ogi:.2f} of the baseline's")
    print(load_average())


def _plain_send(port: int, message_id: str) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.sendmail("ogi@hedong.gov.cn", ["zhang@hedong.gov.cn"],
                      f"Message-ID: <{message_id}@hedong.gov.cn>\r\nSubject: x\r\n\r\n{'正文' * 100}".encode())


if __name__ == "__main__":
    main()
