"""Every organisation as the options of a filter's select, kept in the cache as HTML.

The evidence library and dashboard filter by organisation: a select of every organisation of
the network (20,000 at issue 16's ten times, 25 ms to read and 40 ms to draw). Their results
change with every change to evidence, the list only with the network: drawn once per change
to the network and kept, the current organisation marked in each copy (``DrawnOptions``).
"""

from __future__ import annotations

from core import cache
from core.policy import Audience
from core.templatetags.options import DrawnOptions, draw
from network.models import Organisation


def organisation_options() -> DrawnOptions:
    """The ``<option>`` of every organisation, by name (value: its slug), for
    ``{% select_options %}``. Organisations are public: one copy for every audience."""
    html = cache.fragment(
        "organisation_options",
        depends_on="network",
        audience=Audience.PUBLIC,
        render=lambda: draw(Organisation.objects.order_by("name").values_list("slug", "name")),
    )
    return DrawnOptions(html)
