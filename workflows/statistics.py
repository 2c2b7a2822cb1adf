"""Statistics for the 统计 page (being written)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from engine.clock import Clock


@dataclass
class StatisticsService:
    engine: Engine
    clock: Clock
