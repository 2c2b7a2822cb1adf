"""The engine's adapters: the only modules of `engine` that do I/O (database, event store, templates)."""
