"""Read models folded from the log (requests, tasks, calendar years) and the reads over them (queue, history, statistics).

They never import requests, report or documents (the layers contract in pyproject.toml): they are what those read.
"""
