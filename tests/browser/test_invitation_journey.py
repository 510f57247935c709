"""Journey: an imported practitioner is invited, follows the link in the delivered e-mail, chooses a
password and lands on their own record."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from registry.accounts import invitations
from registry.cli_viewer import COMMAND_LINE
from registry.notify import outbox
from registry.notify.mail import FileBackend
from tests.browser.conftest import LiveServer
from tests.browser.pages import PractitionerPage
from tests.support import Alliance

pytestmark = pytest.mark.browser


def test_an_invited_practitioner_sets_a_password_and_sees_their_record(
    page: Page, live_server: LiveServer, alliance: Alliance, tmp_path: Path
) -> None:
    folder = tmp_path / "outbox"

    async def invite_and_deliver() -> None:
        await invitations.invite(COMMAND_LINE, practitioner_ids=[alliance.practitioner_ids["ross@example.org"]])
        await outbox.deliver_due(FileBackend(folder))

    live_server.run(invite_and_deliver())
    [message_file] = folder.glob("*.eml")
    message = email.message_from_bytes(message_file.read_bytes(), policy=policy.default)
    assert message["To"] == "ross@example.org"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    match = re.search(r"(/set-password/\S+)", body.get_content())
    assert match

    page.goto(match.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    password = page.get_by_label("Password", exact=True)
    password.fill("short")
    page.get_by_test_id("save-password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Password must be 10 characters or more")
    page.get_by_label("Password", exact=True).fill("plum orchard lantern")
    page.get_by_test_id("save-password").click()
    record = PractitionerPage(page)
    expect(record.name).to_have_text("Ross Walker")
    expect(page.get_by_text("Your record")).to_be_visible()

    page.goto(match.group(1))
    expect(page.get_by_test_id("link-unusable")).to_have_text("This link has already been used")
