"""axe-core over every main page, at desktop and phone size: no serious or critical violation."""

import pytest

from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import SIZES, needs_chromium
from tests.browser.demo_site import (  # noqa: F401 (module-scoped fixtures used by name)
    MAIN_PAGES,
    contexts,
    demo_app,
    demo_ids,
    demo_server,
    open_context,
    page_path,
)

pytestmark = needs_chromium


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("name", list(MAIN_PAGES))
def test_main_page_has_no_serious_accessibility_violations(contexts, demo_ids, name, size):
    page = contexts(size).new_page()
    try:
        page.goto(page_path(name, demo_ids))
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
