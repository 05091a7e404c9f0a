"""Following the header menus in browser tests: open the menu by its name, then click the link."""


def follow(page, menu: str, link: str) -> None:
    """Open `menu` in the main navigation (or "Account") and click its `link`."""
    name = "Account" if menu == "Account" else "Main"
    nav = page.get_by_role("navigation", name=name)
    summary = nav.locator("summary").first if menu == "Account" else nav.locator("summary", has_text=menu)
    summary.click()
    target = nav.get_by_role("button" if link == "Sign out" else "link", name=link, exact=True)
    target.click()
