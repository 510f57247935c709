"""Page objects for the browser journeys (https://playwright.dev/python/docs/pom).

Selectors are what a person sees — labels, roles, link and button names — or a ``data-testid`` where the
markup provides one. URLs are relative: pytest-playwright gives each browser context the live server's base URL.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page


class Header:
    """The header and service navigation every signed-in page shares."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.signed_in_as = page.get_by_test_id("signed-in-as")
        self.sign_out_button = page.get_by_test_id("sign-out")
        self.api_tokens_link = page.get_by_test_id("api-tokens-link")
        self.navigation = page.get_by_role("navigation", name="Main menu")

    def nav_link(self, text: str) -> Locator:
        return self.navigation.get_by_role("link", name=text, exact=True)

    def sign_out(self) -> None:
        self.sign_out_button.click()
        self.page.wait_for_url("**/sign-in")


class SignInPage:
    url = "/sign-in"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.skip_link = page.get_by_role("link", name="Skip to main content")
        self.email = page.get_by_label("Email address", exact=True)
        self.password = page.get_by_label("Password", exact=True)
        self.sign_in_button = page.get_by_test_id("sign-in")
        self.heading = page.get_by_role("heading", name="Sign in", level=1)

    def goto(self) -> None:
        self.page.goto(self.url)

    def sign_in(self, email: str, password: str) -> None:
        """Fill the form and press the button; waits until the app has sent us on from /sign-in."""
        self.email.fill(email)
        self.password.fill(password)
        self.sign_in_button.click()
        self.page.wait_for_url(lambda url: "/sign-in" not in url)


class PractitionersPage:
    url = "/practitioners"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.header = Header(page)
        self.search_box = page.get_by_label("Search by name, email or job title")
        self.apply_filters_button = page.get_by_test_id("apply-filters")
        self.table = page.get_by_test_id("practitioners")
        self.rows = self.table.locator("tbody tr")
        self.result_count = page.get_by_test_id("result-count")
        self.empty = page.get_by_test_id("empty")

    def goto(self) -> None:
        self.page.goto(self.url)

    def search(self, text: str) -> None:
        self.search_box.fill(text)
        self.apply_filters_button.click()
        self.page.wait_for_url("**/practitioners?*")

    def row_link(self, name: str) -> Locator:
        """The link to a practitioner's record; the list shows "Family, Given"."""
        return self.table.get_by_role("link", name=name)


class PractitionerPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.header = Header(page)
        self.name = page.get_by_test_id("practitioner-name")

    def goto(self, practitioner_id: int) -> None:
        self.page.goto(f"/practitioners/{practitioner_id}")


class ImportPage:
    url = "/import"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.header = Header(page)
        self.heading = page.get_by_role("heading", name="Import from a spreadsheet", level=1)
        self.file_input = page.get_by_label("CSV file")
        self.import_button = page.get_by_test_id("import")
        self.error_summary = page.locator(".govuk-error-summary")
        self.problems = page.get_by_test_id("import-problems")
        self.problem_lines = self.problems.get_by_role("listitem")
        self.result = page.get_by_test_id("import-result")

    def goto(self) -> None:
        self.page.goto(self.url)

    def kind(self, label: str) -> Locator:
        """The radio for what the file holds: "Practitioners" or "Organisations"."""
        return self.page.get_by_role("radio", name=label, exact=True)

    def upload(self, kind_label: str, csv_file: Path) -> None:
        self.kind(kind_label).check()
        self.file_input.set_input_files(csv_file)
        with self.page.expect_navigation():
            self.import_button.click()


class ErrorPage:
    """The GOV.UK-style page for 403, 404 and other errors (templates/error.html)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", level=1)
        self.detail = page.get_by_test_id("error-detail")


def fill_date(scope: Page | Locator, legend: str, written: str) -> None:
    """Type a ``YYYY-MM-DD`` date into GOV.UK's date input whose legend is ``legend`` (day, month, year boxes)."""
    group = scope.get_by_role("group", name=legend, exact=True)
    year, month, day = written.split("-")
    group.get_by_label("Day", exact=True).fill(str(int(day)))
    group.get_by_label("Month", exact=True).fill(str(int(month)))
    group.get_by_label("Year", exact=True).fill(year)


class LearningForm:
    """Log learning (templates/learning/record_form.html)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.title = page.get_by_label("What was the learning?")
        self.kind = page.get_by_label("Kind of learning")
        self.hours = page.get_by_label("Hours", exact=True)
        self.reflection = page.get_by_label("Reflection (optional)")
        self.save_button = page.get_by_test_id("save-learning")

    def competence(self, code: str) -> Locator:
        return self.page.get_by_role("checkbox", name=code, exact=False)

    def log(
        self, title: str, kind: str, completed_on: str, hours: str, competences: list[str], reflection: str
    ) -> None:
        self.title.fill(title)
        self.kind.select_option(kind)
        fill_date(self.page, "Date completed", completed_on)
        self.hours.fill(hours)
        for code in competences:
            self.page.locator(f'input[name="competences"][value="{code}"]').check()
        self.reflection.fill(reflection)
        with self.page.expect_navigation():
            self.save_button.click()


class CompetenceChart:
    """The SVG bars of hours per competence on a practitioner's page (the first period shown)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.summary = page.get_by_test_id("progress-summary").last
        self.chart = page.get_by_test_id("competence-chart").last
        self.meter = page.get_by_test_id("progress-meter").last

    def hours(self, code: str) -> str:
        return self.chart.locator(f'rect[data-code="{code}"]').get_attribute("data-hours") or ""

    def share_drawn(self) -> float:
        """How much of the progress bar is filled on screen, 0 to 1."""
        bar = self.meter.bounding_box()
        done = self.meter.locator("rect").bounding_box()
        assert bar is not None
        assert bar["width"] > 100, bar
        return 0.0 if done is None else done["width"] / bar["width"]


class EventsPage:
    """Find learning events (templates/events/list.html)."""

    url = "/events"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.header = Header(page)
        self.search_box = page.get_by_label("Search by title, description or topic")
        self.apply_filters_button = page.get_by_test_id("apply-filters")
        self.table = page.get_by_test_id("events")
        self.rows = self.table.get_by_test_id("event-row")
        self.empty = page.get_by_test_id("empty")

    def goto(self) -> None:
        self.page.goto(self.url)

    def search(self, text: str) -> None:
        self.search_box.fill(text)
        self.apply_filters_button.click()
        self.page.wait_for_url("**/events?*")

    def open(self, title: str) -> None:
        self.table.get_by_role("link", name=title, exact=True).click()
        self.page.wait_for_url("**/events/*")


class EventPage:
    """One event and booking a place on it (templates/events/event.html)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.header = Header(page)
        self.title = page.get_by_test_id("event-title")
        self.book_button = page.get_by_test_id("book")
        self.banner = page.get_by_test_id("banner")
        self.booking_status = page.get_by_test_id("booking-panel").get_by_test_id("booking-status")
        self.places_left = page.get_by_test_id("places-left")
        self.sessions = page.get_by_test_id("sessions")
        self.cancel_booking_button = page.get_by_test_id("cancel-booking")

    def book(self) -> None:
        with self.page.expect_navigation():
            self.book_button.click()


class BookingsPage:
    """My bookings (templates/events/bookings.html)."""

    url = "/bookings"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.header = Header(page)
        self.table = page.get_by_test_id("bookings")
        self.banner = page.get_by_test_id("banner")

    def goto(self) -> None:
        self.page.goto(self.url)

    def row(self, event_title: str) -> Locator:
        return self.table.get_by_test_id("booking-row").filter(has_text=event_title)

    def status(self, event_title: str) -> Locator:
        return self.row(event_title).get_by_test_id("booking-status")

    def cancel(self, event_title: str) -> None:
        self.row(event_title).get_by_test_id("cancel-booking").click()
        self.page.wait_for_url("**/bookings/*/cancel*")


class CancelBookingPage:
    """ "Are you sure?" before cancelling a booking (templates/events/cancel_booking.html)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", level=1)
        self.confirm_button = page.get_by_test_id("confirm-cancel")

    def confirm(self) -> None:
        with self.page.expect_navigation():
            self.confirm_button.click()


class ApiTokensPage:
    """The signed-in person's API tokens (templates/accounts/api_tokens.html)."""

    url = "/account/tokens"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", level=1)
        self.label = page.get_by_label("Label", exact=True)
        self.days = page.get_by_label("Days until it ends", exact=True)
        self.create_button = page.get_by_test_id("create-token")
        self.new_token = page.get_by_test_id("new-token")
        self.table = page.get_by_test_id("api-tokens")
        self.rows = self.table.locator("tbody tr")
        self.none = page.get_by_test_id("no-tokens")
        self.banner = page.locator(".govuk-notification-banner")

    def create(self, label: str, days: str) -> None:
        self.label.fill(label)
        self.days.fill(days)
        with self.page.expect_navigation():
            self.create_button.click()

    def revoke(self, label: str) -> None:
        self.table.get_by_role("link", name=f"Revoke {label}").click()
        self.page.wait_for_url("**/account/tokens/*/revoke")


class RevokeApiTokenPage:
    """ "Are you sure?" before revoking a token (templates/accounts/revoke_api_token.html)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", level=1)
        self.confirm_button = page.get_by_test_id("confirm-revoke")

    def confirm(self) -> None:
        with self.page.expect_navigation():
            self.confirm_button.click()
