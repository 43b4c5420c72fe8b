"""``manage.py bench_compare BASE.json SCALED.json``: each page's median at two data sizes.

Reads two ``bench --json`` files (issue 16: seed_bench's default size, then ``--scale 10``)
and prints per page the median in each, their ratio, and ``!!`` where the larger network's
median is more than ``--limit`` (1.5) times the smaller's. A page's cost should not grow with
the network: constant queries, indexed filters, no counts over whole tables.

On a shared machine the two runs do not see the same load, so each page's median is also
divided by the floor sampled between its own requests (the bench's ``ratio``), and the ratio of
those two figures is printed beside the raw one ("vs floor"). ``--by raw`` or ``--by floor``
(the default) says which of the two the ``!!`` follows.
"""

from __future__ import annotations

import json
import re

from django.core.management.base import BaseCommand


def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as source:
        data = json.load(source)
    for page in data["pages"]:
        page["label"] = _key(page["label"])
    return data


def _key(label: str) -> str:
    """A page's label without the counts some labels carry ("organisation page (41
    memberships)"), which differ between the two networks."""
    return re.sub(r"\((\d[\d,]*) ", "(N ", label)


class Command(BaseCommand):
    help = "Compare two `bench --json` runs page by page (median at 1x and at 10x data)."

    def add_arguments(self, parser):
        parser.add_argument("base", help="bench --json output at the default size")
        parser.add_argument("scaled", help="bench --json output at the larger size")
        parser.add_argument("--limit", type=float, default=1.5, help="largest ratio that holds (default 1.5)")
        parser.add_argument(
            "--by",
            choices=["floor", "raw"],
            default="floor",
            help="flag on the medians divided by their floors (default) or on the raw medians",
        )

    def handle(self, *args, **options):
        base, scaled = _load(options["base"]), _load(options["scaled"])
        limit = options["limit"]
        scaled_pages = {page["label"]: page for page in scaled["pages"]}
        self.stdout.write(
            f"base: {base['members']} members, {base['organisations']} organisations ({base['database']}); "
            f"scaled: {scaled['members']} members, {scaled['organisations']} organisations ({scaled['database']})"
        )
        floors = (base.get("floor_median_ms") or 0, scaled.get("floor_median_ms") or 0)
        if all(floors):
            self.stdout.write(f"floor medians {floors[0]:.2f} / {floors[1]:.2f} ms (ratio {floors[1] / floors[0]:.2f})")
        self.stdout.write(f"{'page':<56} {'queries':>9} {'1x ms':>9} {'10x ms':>9} {'ratio':>6} {'vs floor':>9}")
        over = []
        compared = 0
        for page in base["pages"]:
            other = scaled_pages.pop(page["label"], None)
            if other is None:
                self.stdout.write(f"{page['label']:<56} (not measured in the scaled run)")
                continue
            compared += 1
            ratio = other["median_ms"] / page["median_ms"] if page["median_ms"] else float("inf")
            normalised = other["ratio"] / page["ratio"] if page.get("ratio") and other.get("ratio") else None
            judged = normalised if options["by"] == "floor" and normalised is not None else ratio
            flag = "  !!" if judged > limit else ""
            if flag:
                over.append(page["label"])
            queries = f"{page['queries']}/{other['queries']}"
            self.stdout.write(
                f"{page['label']:<56} {queries:>9} {page['median_ms']:9.2f} {other['median_ms']:9.2f}"
                f" {ratio:5.2f}x" + (f" {normalised:8.2f}x" if normalised is not None else " " * 10) + flag
            )
        for label in scaled_pages:
            self.stdout.write(f"{label:<56} (not measured in the base run)")
        named = (": " + ", ".join(over)) if over else ""
        self.stdout.write(f"bench_compare: {len(over)} of {compared} pages over {limit:g}x ({options['by']}){named}")
