"""Benchmarks with their baselines (docs/performance.md has the commands and the recorded figures).

`python -m benchmarks.lifecycle`: requests driven one committed transition at a time, against a minimal baseline.
`python -m benchmarks.import_bulk`: `ogi import` of a large generated history file.
"""
