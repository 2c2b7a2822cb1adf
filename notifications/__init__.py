"""Notifications (channels, outbox, delivery actors) arrive with a later issue."""
