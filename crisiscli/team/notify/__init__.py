"""Notifications: where the team already is (a chat channel, a script, the desktop).

``message`` is what a notification says (and the JSON each channel receives), ``channels``
how each kind of channel delivers it (within one deadline), ``outbox`` the marker that tells
the next command a delivery is still owed, ``worker`` the background sender's lock, wake
token and per-channel state. What is due, and the journal's record of what was sent, are in
``crisiscli/walk/alerts.py`` and ``crisiscli/walk/notifier.py``.
"""
