"""axe-core over every main page, at desktop and phone size: no serious or critical violation.

The demo team's data (every kind of record) is seeded once for the module; pages are read-only.
"""

import pytest

from tests.browser import demo_site
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import SIZES, needs_chromium
from tests.browser.demo_site import MAIN_PAGES, open_context, page_path

pytestmark = needs_chromium
# The module's seeded demo site (module-scoped fixtures, found by these names).
demo_app, demo_ids, demo_server, contexts = (
    demo_site.demo_app,
    demo_site.demo_ids,
    demo_site.demo_server,
    demo_site.contexts,
)

@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("name", MAIN_PAGES)
def test_main_page_has_no_serious_accessibility_violations(contexts, demo_ids, name, size):
    page = contexts(size).new_page()
    try:
        page.goto(page_path(name, demo_ids))
        assert_no_serious_violations(page)
    finally:
        page.close()


@pytest.mark.parametrize("size", sorted(SIZES))
def test_open_phone_menu_has_no_serious_accessibility_violations(contexts, size):
    page = contexts(size).new_page()
    try:
        page.goto("/")
        if page.locator(".menu-toggle").is_visible():
            page.locator(".menu-toggle").click()
        assert_no_serious_violations(page)
    finally:
        page.close()


@pytest.mark.parametrize("size", sorted(SIZES))
def test_sign_in_page_has_no_serious_accessibility_violations(browser, demo_server, size):
    context = open_context(browser, demo_server, size, sign_in=False)
    try:
        page = context.new_page()
        page.goto("/login")
        assert_no_serious_violations(page)
    finally:
        context.close()
