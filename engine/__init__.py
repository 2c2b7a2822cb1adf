"""Generic machinery: working-day calendar, clock, state-machine runtime, event store, projections."""
