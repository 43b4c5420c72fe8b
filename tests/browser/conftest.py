"""Browser tests: Playwright driving Debian's Chromium, with axe-core for accessibility."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The strict CSP would block the injected axe script; the pages' own scripts are unaffected.
    return {**browser_context_args, "bypass_csp": True, "locale": "en-GB"}


def signed_in_page(browser, live_server, user=None, *, locale: str = "en-GB", **context_args):
    """A page in a new browser context, signed in as ``user`` (if given) through a session made
    server-side; ``context_args`` go to ``browser.new_context`` (viewport, base_url, ...)."""
    from django.conf import settings
    from django.test import Client

    context = browser.new_context(bypass_csp=True, locale=locale, **context_args)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context.new_page()


def axe_violations(page, *, inject: bool = True) -> list[str]:
    """Run axe-core on the current page: its serious and critical violations, one line each.
    ``inject=False`` when axe-core is already on the page (checked again after a resize)."""
    if inject:
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} → " + "; ".join(str(n["target"][0]) for n in v["nodes"][:3])
        for v in bad
    ]


def assert_accessible(page) -> None:
    """Run axe-core on the current page; fail on serious or critical violations."""
    details = axe_violations(page)
    assert not details, f"axe violations on {page.url}:\n" + "\n".join(details)


@pytest.fixture(scope="session")
def base_url():
    # pytest-playwright's fallback base_url fixture is an instance method on a plugin class,
    # which pytest 9 deprecates (an error here, warnings being errors). Tests use
    # live_server.url instead, so none is needed.
    return None


SCREENSHOTS = Path(__file__).parent / "screenshots"
WIDTHS = (390, 1280)


def screenshots(page, name: str) -> list[Path]:
    """Full-page screenshots of the current page at a phone's and a desktop's width, for people
    to look at (tests/browser/screenshots/, not committed). Returns the files written."""
    SCREENSHOTS.mkdir(exist_ok=True)
    original = page.viewport_size or {"width": 1280, "height": 800}
    written = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        path = SCREENSHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        written.append(path)
    page.set_viewport_size(original)
    return written
