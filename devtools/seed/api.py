"""Demo open data: today's package, as the nightly job would write it (idempotent: a second
run replaces today's package)."""

from __future__ import annotations


def seed_demo(*, stdout) -> None:
    from api.opendata import package_write

    package = package_write()
    stdout.write(f"api: open-data package {package.name} written ({sum(package.counts.values())} rows).")
