"""The long-running processes, built here from the `App`: `ogi scheduler`, `ogi worker` and `ogi up`.

- The scheduler (APScheduler 3) runs the sweep every `OGI_SWEEP_SECONDS` (first at start: what was missed while
  everything was down fires then), hands waiting outbox rows to the broker every `RELAY_SECONDS`, and beats.
- The worker runs dramatiq's worker on the broker of `notifications/broker.py`; its actor delivers one message.
- `ogi up` runs both in one process on dramatiq's in-process broker.
Any number of each may run at once: the event store's version check, the outbox's unique keys and the
delivery claim make every step safe to repeat.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import dramatiq
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import SQLAlchemyError

from bootstrap import App
from engine.clock import SHANGHAI
from notifications import outbox
from notifications.broker import deliver_actor, make_broker
from notifications.delivery import Deliverer
from notifications.email import SmtpSender
from notifications.sms import SmsGateway
from notifications.terminal import TerminalMessenger
from notifications.webhook import WebhookSender
from workflows.integrity import heartbeats
from workflows.people.accounts import SCHEDULER

log = logging.getLogger(__name__)
RELAY_SECONDS = 2
BEAT_SECONDS = 10


def sweep_seconds() -> int:
    return max(int(os.environ.get("OGI_SWEEP_SECONDS", "60")), 1)


def deliverer(app: App, terminal: Callable[[str], None] | None = None) -> Deliverer:
    """The channels from the environment (DESIGN §8): OGI_SMTP_URL with OGI_MAIL_FROM, OGI_SMS_URL. `terminal`: the
    demo shows e-mail and SMS there while neither channel is configured (notifications/terminal.py)."""
    smtp, sms = os.environ.get("OGI_SMTP_URL"), os.environ.get("OGI_SMS_URL")
    mail_from = os.environ.get("OGI_MAIL_FROM", "ogi@localhost")
    lease = dt.timedelta(seconds=int(os.environ.get("OGI_OUTBOX_LEASE_SECONDS", outbox.LEASE.total_seconds())))
    if terminal is not None and not smtp and not sms:
        return Deliverer(app.engine, app.clock, TerminalMessenger("email", terminal),  # type: ignore[arg-type]
                         TerminalMessenger("sms", terminal), WebhookSender(), lease)  # type: ignore[arg-type]
    return Deliverer(app.engine, app.clock, SmtpSender.from_url(smtp, mail_from) if smtp else None,
                     SmsGateway(sms) if sms else None, WebhookSender(), lease)


@dataclass
class Running:
    """The parts of one process, to stop them in order."""

    app: App
    kind: str
    process: str = ""
    stop_event: threading.Event = field(default_factory=threading.Event)
    scheduler: BackgroundScheduler | None = None
    worker: dramatiq.Worker | None = None
    stop_also: list[Callable[[], None]] = field(default_factory=list)  # parts the caller added (the web server)

    def beat(self) -> None:
        try:
            with self.app.engine.begin() as conn:
                heartbeats.beat(conn, self.process, self.kind, self.app.clock.now())
        except SQLAlchemyError:  # the database is away for a moment: `ogi health` shows the gap, the process goes on
            log.exception("heartbeat not written; trying again at the next beat")

    def stop(self) -> None:
        for stop_part in self.stop_also:
            stop_part()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
        if self.worker is not None:
            self.worker.stop()
        with self.app.engine.begin() as conn:
            heartbeats.forget(conn, self.process)


def relay(app: App, actor: dramatiq.Actor) -> int:
    """Hand the waiting outbox rows to the broker; a broker that is down gets them again on a later round."""
    with app.engine.begin() as conn:
        ids = outbox.to_relay(conn, app.clock.now())
    for message_id in ids:
        try:
            actor.send(message_id)
        except Exception as error:  # the broker is down: the rows stay waiting and are relayed again
            log.warning("broker unavailable, %d messages wait in the outbox: %s", len(ids), type(error).__name__)
            return 0
    return len(ids)


def sweep(app: App) -> None:
    result = app.sweeper.run(SCHEDULER)
    log.info("sweep: %d timer events, %d reminder messages", result.fired, result.reminders)


def start_scheduler(app: App, actor: dramatiq.Actor, running: Running) -> None:
    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    jobs: list[tuple[Callable[[], object], int]] = [
        (lambda: sweep(app), sweep_seconds()), (lambda: relay(app, actor), RELAY_SECONDS), (running.beat, BEAT_SECONDS)]
    for job, seconds in jobs:
        scheduler.add_job(_logged(job), "interval", seconds=seconds, max_instances=1, coalesce=True,
                          next_run_time=dt.datetime.now(SHANGHAI))  # at once: what was missed while down fires now
    scheduler.start()
    running.scheduler = scheduler


def _logged(job: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            job()
        except Exception:  # one failed round must not stop the scheduler: the next round tries again
            log.exception("scheduled job failed; it runs again at its next turn")
    return run


def start_worker(app: App, broker: dramatiq.Broker, running: Running, threads: int,
                 terminal: Callable[[str], None] | None = None) -> dramatiq.Actor:
    send = deliverer(app, terminal)
    actor = deliver_actor(broker, send.deliver)
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=1000)
    worker.start()
    running.worker = worker
    return actor


def stop_on_signals(running: Running) -> Running:
    """SIGTERM and Ctrl-C ask for a clean stop; installed before anything starts, so none is missed."""
    def stop(signum, frame) -> None:
        running.stop_event.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return running


def run_until_stopped(running: Running, say: Callable[[str], None]) -> None:
    """Block until asked to stop, then stop cleanly (messages in flight stay in the outbox)."""
    running.beat()
    while not running.stop_event.wait(BEAT_SECONDS):
        if running.scheduler is None:  # the scheduler beats by itself; a worker beats here
            running.beat()
    say("stopping…")
    running.stop()
    say("stopped")


def scheduler_process(app: App, say: Callable[[str], None]) -> None:
    broker = make_broker(os.environ.get("OGI_REDIS_URL"))
    actor = deliver_actor(broker, lambda message_id: "not delivered here")  # declared only, to send to its queue
    running = stop_on_signals(Running(app, "scheduler", heartbeats.process_name("scheduler")))
    start_scheduler(app, actor, running)
    say(f"scheduler on {app.engine.url}: sweep every {sweep_seconds()} s, outbox relayed every {RELAY_SECONDS} s")
    run_until_stopped(running, say)


def worker_process(app: App, threads: int, say: Callable[[str], None]) -> None:
    redis_url = os.environ.get("OGI_REDIS_URL")
    if not redis_url:
        raise SystemExit("ogi worker needs OGI_REDIS_URL (the in-process broker exists only inside `ogi up`)")
    broker = make_broker(redis_url)
    running = stop_on_signals(Running(app, "worker", heartbeats.process_name("worker")))
    start_worker(app, broker, running, threads)
    say(f"worker on {app.engine.url}, broker {redis_url.rsplit('@', 1)[-1]}, {threads} threads")
    run_until_stopped(running, say)


def up_process(app: App, say: Callable[[str], None],
               start_web: Callable[[App], Callable[[], None]] | None = None, demo: bool = False) -> None:
    """Everything in one process on the embedded default: in-process broker, a worker thread, the scheduler, and the
    web server the caller starts (`start_web` returns how to stop it). `demo`: the demo is loaded, so messages with
    no channel configured are shown on the terminal (`say`)."""
    broker = make_broker(None)
    running = stop_on_signals(Running(app, "scheduler", heartbeats.process_name("up")))
    if start_web is not None:
        running.stop_also.append(start_web(app))
    actor = start_worker(app, broker, running, threads=1, terminal=say if demo else None)
    start_scheduler(app, actor, running)
    say(f"scheduler: sweep every {sweep_seconds()} s; worker: 1 thread on the in-process broker")
    run_until_stopped(running, say)
