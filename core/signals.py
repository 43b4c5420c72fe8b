"""Signals that carry changes upward, to apps that sit above the one that changed.

``content_changed`` is sent by services after a write that Django's model signals do not see
(``QuerySet.update``, ``bulk_create``) or that changes what an object's *visibility* depends
on without saving the object itself (a consent withdrawn, a workflow step). Listeners: the
fragment caches of each app and the search index. Send it with the model class as ``sender``
and the changed instance as ``instance``; listeners may run inside the writer's transaction
and must not call the network.
"""

from django.dispatch import Signal

content_changed = Signal()
