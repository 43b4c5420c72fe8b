"""View decorators that ask the policy (``request.viewer``), never the user object."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from core.policy import Viewer


def viewer_passes(test: Callable[[Viewer], bool]):
    """Visitors are sent to log in; signed-in people the test refuses get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.viewer.is_anonymous:
                return redirect_to_login(request.get_full_path())
            if not test(request.viewer):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


coordinator_required = viewer_passes(lambda viewer: viewer.is_coordinator)
