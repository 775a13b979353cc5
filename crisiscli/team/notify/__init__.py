"""Notifications: where the team already is (a chat channel, a script, the desktop).

``message`` is what a notification says (and the JSON each channel receives), ``channels``
how each kind of channel delivers it, ``outbox`` the marker that tells the next command a
delivery is still owed. What is due, and the journal's record of what was sent, are in
``crisiscli/walk/alerts.py`` and ``crisiscli/walk/notifier.py``.
"""
