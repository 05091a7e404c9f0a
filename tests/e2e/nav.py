"""Following the header menus in browser tests: open the menu by its name, then click the link."""


def follow(page, menu: str, link: str) -> None:
    """Open `menu` in the main navigation (or "Account"), click its `link`, and wait for the new page.

    The wait is for the page's load event (its stylesheet applied): a test that measures the
    layout right after following a link must not see the new page before its CSS arrived.
    """
    name = "Account" if menu == "Account" else "Main"
    nav = page.get_by_role("navigation", name=name)
    summary = nav.locator("summary").first if menu == "Account" else nav.locator("summary", has_text=menu)
    summary.click()
    target = nav.get_by_role("button" if link == "Sign out" else "link", name=link, exact=True)
    target.click()
    page.wait_for_load_state("load")
