"""A page driven by the keyboard alone, as someone who uses no mouse works: every
control is reached with Tab from where the focus is (a radio within its group with the
arrow keys), links and buttons are pressed with Enter, boxes ticked with Space, a
choice in a list made with the arrow keys, text typed. A control that Tab does not
reach, or that does not show its focus, fails the test."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import JSHandle, Locator, Page

#: How many Tab presses may pass before a control counts as unreachable.
TABS = 400
FOCUSABLE = "el => el.closest('a, button, input, select, textarea, summary') || el"
#: Whether the focused element shows it: an outline or a ring (WCAG 2.4.7).
FOCUS_SHOWN = """el => { const s = getComputedStyle(el);
  return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
    || s.boxShadow !== 'none'; }"""


class KeyboardPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def __getattr__(self, name: str) -> Any:
        return getattr(self.page, name)

    def locator(self, selector: str) -> KeyboardLocator:
        return KeyboardLocator(self, self.page.locator(selector))

    def click(self, selector: str) -> None:
        self.press(self.page.locator(selector).first)

    def fill(self, selector: str, value: str) -> None:
        self.reach(self.page.locator(selector).first)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(value)

    def check(self, selector: str) -> None:
        target = self.page.locator(selector).first
        if target.get_attribute("type") == "radio":
            self.choose(target)
        elif not target.is_checked():
            self.reach(target)
            self.page.keyboard.press("Space")
        assert target.is_checked(), selector

    def select_option(self, selector: str, value: str) -> None:
        target = self.page.locator(selector).first
        self.reach(target)
        for _ in range(target.locator("option").count() + 1):
            if target.input_value() == value:
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"{value} is not chosen in {selector} with the arrow keys")

    def press(self, target: Locator) -> None:
        self.reach(target)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def reach(self, target: Locator) -> None:
        self._tab_until(target.evaluate_handle(FOCUSABLE), str(target))

    def choose(self, radio: Locator) -> None:
        """Tab into the radio's group, then move with the arrow keys to the one wanted."""
        name = radio.get_attribute("name")
        group = self.page.locator(f'input[type=radio][name="{name}"]')
        for _ in range(TABS):
            if group.evaluate_all("els => els.includes(document.activeElement)"):
                break
            self.page.keyboard.press("Tab")
        else:
            raise AssertionError(f"the radio group {name} is not reached with Tab")
        for _ in range(group.count() + 1):
            if radio.evaluate("el => el === document.activeElement"):
                self.page.keyboard.press("Space")
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"{radio} is not reached with the arrow keys")

    def _tab_until(self, element: JSHandle, what: str) -> None:
        for _ in range(TABS):
            if self.page.evaluate("el => el === document.activeElement", element):
                assert self.page.evaluate(FOCUS_SHOWN, element), f"{what}: focus not shown"
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"{what} is not reached with Tab")


class KeyboardLocator:
    def __init__(self, page: KeyboardPage, locator: Locator) -> None:
        self._page, self._locator = page, locator

    def __getattr__(self, name: str) -> Any:
        return getattr(self._locator, name)

    @property
    def last(self) -> KeyboardLocator:
        return KeyboardLocator(self._page, self._locator.last)

    @property
    def first(self) -> KeyboardLocator:
        return KeyboardLocator(self._page, self._locator.first)

    def click(self) -> None:
        self._page.press(self._locator)
