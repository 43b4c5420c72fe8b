"""Every main page, as each role sees it, in a real browser: at a phone's width (390 px) and a
desktop's (1280 px), in English, Swedish and Dutch, on the demo network (``seed_demo``).

For each page it checks what a person would notice first and what no unit test sees:

* no error in the browser console and no failed request for the page's own assets;
* no horizontal scrolling (the document is no wider than the window);
* nothing in the header or a sidebar overlaps another element's text or sticks out of its box
  (a long link once ran over the "Hosts" heading);
* axe-core finds no serious or critical violation;

and it writes a full-page screenshot of each (``tests/browser/screenshots/pages/``) for people
to look at. Failures are collected over the whole sweep and reported together.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

from tests.browser.conftest import AXE_JS, SCREENSHOTS, axe_violations, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("en", "sv", "nl")
WIDTHS = (390, 1280)
ROLE_EMAILS = {
    "anonymous": None,
    "organiser": "organiser@example.org",
    "funder": "funder@example.org",
    "coordinator": "coordinator@example.org",
}
# The parts of a page where crowding shows first: the header and every sidebar.
CROWDED = ["header.site-header", "aside", ".layout-sidebar > :first-child"]

# In the page: text boxes of the header and sidebars that overlap another element's text, or
# stick out of the box that holds them.
LAYOUT_PROBLEMS_JS = """
(selectors) => {
  const problems = [];
  // What is drawn: not display:none, visibility:hidden, nor in a closed <details> (whose
  // content the browser hides with content-visibility, which a wide header's CSS may undo).
  const visible = (el) => el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true});
  const label = (el) => (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
  const seen = new Set();
  for (const selector of selectors) {
    for (const root of document.querySelectorAll(selector)) {
      if (seen.has(root) || !visible(root)) continue;
      seen.add(root);
      const box = root.getBoundingClientRect();
      if (box.width < 2 || box.height < 2) continue;
      const rects = [];
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const node = walker.currentNode;
        if (!node.textContent.trim() || !visible(node.parentElement)) continue;
        // Text a scrolling container clips on purpose (a table that scrolls sideways).
        if (node.parentElement.closest('.table-scroll, .visually-hidden')) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const r of range.getClientRects()) {
          if (r.width < 2 || r.height < 2) continue;
          rects.push({node, r});
          if (r.right > box.right + 1 || r.left < box.left - 1) {
            problems.push(`${selector}: "${label(node.parentElement)}" sticks out of its box`);
          }
        }
      }
      for (let i = 0; i < rects.length; i++) {
        for (let j = i + 1; j < rects.length; j++) {
          const a = rects[i], b = rects[j];
          if (a.node === b.node) continue;
          const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
          const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
          if (w > 2 && h > 2) {
            problems.push(`${selector}: "${label(a.node.parentElement)}" overlaps "${label(b.node.parentElement)}"`);
          }
        }
      }
    }
  }
  return [...new Set(problems)].slice(0, 5);
}
"""


def _pages(role: str) -> list[str]:
    """The main pages of a role, in the demo network (paths without a language prefix)."""
    from evidence.models import EvidenceRecord, Round
    from exchanges.models import Exchange
    from network.models import Member, Organisation
    from practice.models import Guide, JointAction
    from strategy.models import Commitment

    exchange = Exchange.objects.filter(status="published").order_by("starts_at").last()
    record = EvidenceRecord.objects.filter(status="published", visibility="public").order_by("pk").first()
    guide = Guide.objects.filter(status="published").order_by("pk").first()
    action = JointAction.objects.order_by("pk").first()
    organisation = Organisation.objects.order_by("pk").first()
    commitment = Commitment.objects.filter(visibility="public").order_by("pk").first()
    everyone = [
        "/",
        "/exchanges/",
        f"/exchanges/{exchange.slug}/",
        "/practice/",
        f"/practice/guides/{guide.slug}/",
        "/practice/joint-actions/",
        f"/practice/joint-actions/{action.slug}/",
        "/evidence/",
        f"/evidence/{record.pk}/",
        "/organisations/",
        f"/organisations/{organisation.slug}/",
        "/where/",
        "/search/?q=organising",
        "/strategy/",
        "/strategy/sustaining-the-learning-lab/",
        "/strategy/sustaining-the-learning-lab/versions/1/",
        "/strategy/sustaining-the-learning-lab/diff/1/2/",
        "/strategy/sustaining-the-learning-lab/case/",
        "/commitments/",
        f"/commitments/{commitment.pk}/",
        f"/commitments/convenings/{commitment.exchange.slug}/",
    ]
    if role == "anonymous":
        return [*everyone, "/accounts/login/", "/accounts/signup/", "/no-such-page/"]
    from core.policy import viewer_for

    viewer = viewer_for(get_user_model().objects.get(email=ROLE_EMAILS[role]))
    member = Member.objects.listed(viewer).exclude(user__email=ROLE_EMAILS[role]).order_by("pk").first()
    members = [
        *everyone,
        "/exchanges/mine/",
        f"/exchanges/{exchange.slug}/register/",
        "/members/",
        "/me/profile/",
        "/me/organisations/",
        "/me/account/",
        "/evidence/self-assessment/",
        "/practice/mine/",
        "/digests/preferences/",
        "/strategy/sustaining-the-learning-lab/synthesis/",
        "/practice/joint-actions/new/",
        "/practice/joint-actions/invitations/",
    ]
    members.append(f"/members/{member.pk}/")
    # Funders and coordinators read every round's aggregates; members those they may answer.
    rounds = Round.objects.all() if role in ("funder", "coordinator") else Round.objects.answerable_by(viewer)
    round_ = rounds.order_by("pk").first()
    if round_ is not None:
        members.append(f"/evidence/self-assessment/{round_.pk}/")
    if role == "organiser":
        # Funders read evidence and do not record it; an organiser meets the dashboard's 403 page.
        return [*members, "/evidence/mine/", "/evidence/new/", "/evidence/dashboard/"]
    dashboard = ["/evidence/dashboard/", "/evidence/dashboard/?country=SE", "/evidence/dashboard/report/"]
    if role == "funder":
        return [*members, *dashboard]
    return [*members, *dashboard, "/practice/review/", "/invitations/", "/organisations/requests/"]


def _page_for(browser, live_server, email: str | None, language: str):
    user = get_user_model().objects.get(email=email) if email else None
    page = signed_in_page(browser, live_server, user, locale={"en": "en-GB", "sv": "sv-SE", "nl": "nl-NL"}[language])
    return page.context, page


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_main_page_reads_well_for_every_role_at_both_widths(browser, live_server, language):
    from tests.conftest import reference_data_ensure

    reference_data_ensure()
    with translation.override("en"):
        call_command("seed_demo", force=True, stdout=io.StringIO())
    prefix = "" if language == "en" else f"/{language}"
    folder = SCREENSHOTS / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for role, email in ROLE_EMAILS.items():
        context, page = _page_for(browser, live_server, email, language)
        errors: list[str] = []
        page.on("console", lambda message, errors=errors: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.on(
            "response",
            lambda response, errors=errors: (
                response.status >= 400
                and response.request.resource_type not in ("document",)
                and errors.append(f"{response.status} {response.url}")
            ),
        )
        for path in _pages(role):
            url = f"{live_server.url}{prefix}{path}"
            # Loaded once, at the first width; the other width is the same document re-laid out
            # by resizing the window (what a rotated phone or a resized window does).
            errors.clear()
            page.set_viewport_size({"width": WIDTHS[0], "height": 844 if WIDTHS[0] < 600 else 900})
            response = page.goto(url)
            where = f"{role} {language} {path}"
            if response is None or response.status >= 500:
                failures.append(f"{where}: answered {response and response.status}")
                continue
            expected_error = path in ("/no-such-page/",) or (role == "organiser" and "dashboard" in path)
            if response.status >= 400 and not expected_error:
                failures.append(f"{where}: answered {response.status}")
            # The document's own status is checked above; a 403/404 page is a console error.
            errors[:] = [e for e in errors if not (expected_error and "status of 40" in e)]
            if errors:
                failures.append(f"{where}: console {errors[:3]}")
            page.add_script_tag(path=str(AXE_JS))
            for width in WIDTHS:
                where = f"{role} {language} {width}px {path}"
                page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                if scroll_width > width:
                    failures.append(f"{where}: {scroll_width} px wide in a {width} px window")
                for problem in page.evaluate(LAYOUT_PROBLEMS_JS, CROWDED):
                    failures.append(f"{where}: {problem}")
                failures.extend(f"{where}: {violation}" for violation in axe_violations(page, inject=False))
                # JPEG: a tall page's PNG costs more to encode than the rest of its checks.
                page.screenshot(
                    path=str(folder / f"{language}-{role}-{_slug(path)}-{width}.jpg"),
                    full_page=True,
                    type="jpeg",
                    quality=75,
                )
        context.close()
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:80])


README_SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"


def test_the_readmes_screenshots_come_from_the_demo(browser, live_server):
    """The README shows the exchange page and the funders' dashboard as this test draws them.
    ``README_SCREENSHOTS=1`` writes them into docs/screenshots/ (committed); otherwise they go
    to tests/browser/screenshots/readme/ for comparison by eye."""
    from tests.conftest import reference_data_ensure

    reference_data_ensure()
    with translation.override("en"):
        call_command("seed_demo", force=True, stdout=io.StringIO())
    folder = README_SCREENSHOTS if os.environ.get("README_SCREENSHOTS") == "1" else SCREENSHOTS / "readme"
    folder.mkdir(parents=True, exist_ok=True)
    shots = {
        "exchange-page.png": ("organiser@example.org", "/exchanges/european-learning-exchange/"),
        "dashboard.png": ("funder@example.org", "/evidence/dashboard/"),
    }
    for name, (email, path) in shots.items():
        context, page = _page_for(browser, live_server, email, "en")
        page.set_viewport_size({"width": 1280, "height": 1000})
        assert page.goto(f"{live_server.url}{path}").status == 200
        page.screenshot(path=str(folder / name))
        context.close()
    readme = (README_SCREENSHOTS.parent.parent / "README.md").read_text()
    for name in shots:
        assert f"docs/screenshots/{name}" in readme
        assert (README_SCREENSHOTS / name).exists()
