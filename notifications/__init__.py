"""Notifications: what ogi tells people, from the outbox row written with its cause to its delivery.

Which reminders are due (reminders.py) and who gets a notice in what words (notices.py) become outbox rows
(outbox.py) in the transaction of their cause; the broker (broker.py) hands each to a worker whose `Deliverer`
(delivery.py) sends it by e-mail, SMS or webhook (email.py, sms.py, webhook.py; message.py, quiet_hours.py).
The workflows never import this package: bootstrap registers its projector and the sweep's hooks.
"""
