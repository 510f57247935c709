"""Journey: a practitioner logs learning with two competences and watches the chart change."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from registry import clock
from registry.learning.rules import financial_year
from tests.browser.pages import CompetenceChart, LearningForm, PractitionerPage, SignInPage
from tests.support import PASSWORD, Alliance

pytestmark = pytest.mark.browser


def test_a_practitioner_logs_learning_and_the_chart_changes(page: Page, alliance: Alliance) -> None:
    sign_in = SignInPage(page)
    sign_in.goto()
    sign_in.sign_in("eilidh@example.org", PASSWORD)
    record = PractitionerPage(page)
    record.header.nav_link("My record").click()
    expect(record.name).to_have_text("Eilidh Morrison")
    chart = CompetenceChart(page)
    assert chart.hours("C2") == "0"
    assert chart.hours("C4") == "0"
    assert chart.share_drawn() == 0

    page.get_by_test_id("learning-log-link").click()
    page.get_by_test_id("log-learning").click()
    form = LearningForm(page)
    form.save_button.click()  # nothing filled in: the error summary lists what to fix
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    form.log(
        title="Trauma-informed practice",
        kind="course",
        completed_on=financial_year(clock.today()).start.isoformat(),
        hours="6.5",
        competences=["C2", "C4"],
        reflection="I now agree safety rules with each group first.",
    )
    expect(page.get_by_test_id("record-title")).to_have_text("Trauma-informed practice")
    expect(page.get_by_test_id("reflection")).to_have_text("I now agree safety rules with each group first.")

    record.goto(alliance.practitioner_ids["eilidh@example.org"])
    chart = CompetenceChart(page)
    assert chart.hours("C2") == "6.5"
    assert chart.hours("C4") == "6.5"
    assert chart.hours("C1") == "0"
    expect(chart.summary).to_contain_text("6.5 of")
    assert 0 < chart.share_drawn() < 1
    # The table alternative carries the same figures.
    page.get_by_text("Show the figures as a table").last.click()
    expect(page.get_by_test_id("competence-table").last).to_contain_text("6.5")

    # One click from the record: the renewal evidence pack lists the learning with its reflection.
    page.get_by_test_id("renewal-pack-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Professional learning record: Eilidh Morrison")
    expect(page.get_by_test_id("pack-activities")).to_contain_text("Trauma-informed practice")
    expect(page.get_by_test_id("pack-reflection").first).to_contain_text(
        "I now agree safety rules with each group first."
    )
