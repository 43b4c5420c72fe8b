"""``manage.py bench_compare``: two ``bench --json`` runs side by side (issue 16's 1x and 10x data)."""

import io
import json

from django.core.management import call_command


def _run(path, members: int, floor: float, pages: dict) -> str:
    payload = {
        "database": f"bench_{members}",
        "members": members,
        "organisations": members // 5,
        "floor_median_ms": floor,
        "pages": [{"label": label, "queries": 5, "median_ms": ms, "ratio": ms / floor} for label, ms in pages.items()],
    }
    path.write_text(json.dumps(payload))
    return str(path)


def test_pages_whose_median_grows_past_the_limit_are_marked(tmp_path):
    base = _run(
        tmp_path / "1x.json",
        10_000,
        1.0,
        {"exchanges list": 4.0, "organisation page (41 memberships)": 10.0, "only here": 1.0},
    )
    scaled = _run(
        tmp_path / "10x.json",
        100_000,
        1.1,
        {"exchanges list": 5.0, "organisation page (52 memberships)": 20.0},
    )
    out = io.StringIO()
    call_command("bench_compare", base, scaled, stdout=out)
    lines = {line.split("  ")[0]: line for line in out.getvalue().splitlines()}
    # The raw ratio, then the ratio of the medians each divided by its run's floor.
    assert "1.25x     1.14x" in lines["exchanges list"] and "!!" not in lines["exchanges list"]
    # Counts in a label differ between the two networks: the page is still matched.
    assert "2.00x     1.82x  !!" in lines["organisation page (N memberships)"]
    assert "not measured in the scaled run" in lines["only here"]
    last = "bench_compare: 1 of 2 pages over 1.5x (floor): organisation page (N memberships)"
    assert out.getvalue().splitlines()[-1] == last
