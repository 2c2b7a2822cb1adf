"""The one place the message broker is set up: Redis in production (`OGI_REDIS_URL`), dramatiq's in-process
broker inside `ogi up`. The actor is thin: it hands the outbox id to the `Deliverer`, which is idempotent.

dramatiq's own retries are off: the outbox row keeps the attempts, the backoff and the parking, so they survive
a broker that loses its queue (the relay hands every waiting row out again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

QUEUE = "ogi-outbox"
log = logging.getLogger(__name__)


def make_broker(redis_url: str | None) -> dramatiq.Broker:
    broker: dramatiq.Broker = RedisBroker(url=redis_url) if redis_url else StubBroker()
    if not redis_url:
        broker.emit_after("process_boot")
    dramatiq.set_broker(broker)
    return broker


def deliver_actor(broker: dramatiq.Broker, deliver: Callable[[str], str]) -> dramatiq.Actor:
    def deliver_message(message_id: str) -> None:
        log.info("outbox %s: %s", message_id, deliver(message_id))

    declare = dramatiq.actor(broker=broker, actor_name="deliver_message", queue_name=QUEUE, max_retries=0,
                             time_limit=120_000)
    return declare(deliver_message)
