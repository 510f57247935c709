"""Page helpers: pagination, navigation by role and error sentences."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.accounts.rules import Role, Viewer
from registry.web.pages import PER_PAGE, Pagination, navigation, sentences


def test_per_page() -> None:
    assert PER_PAGE == 25
    assert Pagination(page=1, total=0).per_page == 25


@pytest.mark.parametrize(
    ("page", "total", "per_page", "pages", "offset", "first_row", "last_row"),
    [
        (1, 0, 25, 1, 0, 0, 0),
        (1, 1, 25, 1, 0, 1, 1),
        (1, 24, 25, 1, 0, 1, 24),
        (1, 25, 25, 1, 0, 1, 25),
        (1, 26, 25, 2, 0, 1, 25),
        (2, 26, 25, 2, 25, 26, 26),
        (2, 50, 25, 2, 25, 26, 50),
        (3, 60, 25, 3, 50, 51, 60),
        (2, 60, 10, 6, 10, 11, 20),
        (6, 60, 10, 6, 50, 51, 60),
        (1, 150, 50, 3, 0, 1, 50),
    ],
)
def test_pagination_rows(
    page: int, total: int, per_page: int, pages: int, offset: int, first_row: int, last_row: int
) -> None:
    pagination = Pagination(page=page, total=total, per_page=per_page)
    assert (pagination.pages, pagination.offset, pagination.first_row, pagination.last_row) == (
        pages,
        offset,
        first_row,
        last_row,
    )


@pytest.mark.parametrize(
    ("page", "total", "numbers"),
    [
        (1, 0, [1]),
        (1, 1, [1]),
        (1, 25, [1]),
        (1, 50, [1, 2]),
        (2, 50, [1, 2]),
        (3, 125, [1, 2, 3, 4, 5]),
        (1, 250, [1, 2, 3, None, 10]),
        (3, 250, [1, 2, 3, 4, 5, None, 10]),
        (4, 250, [1, 2, 3, 4, 5, 6, None, 10]),
        (5, 250, [1, None, 3, 4, 5, 6, 7, None, 10]),
        (6, 250, [1, None, 4, 5, 6, 7, 8, None, 10]),
        (7, 250, [1, None, 5, 6, 7, 8, 9, 10]),
        (8, 250, [1, None, 6, 7, 8, 9, 10]),
        (10, 250, [1, None, 8, 9, 10]),
        (50, 1250, [1, None, 48, 49, 50]),
    ],
)
def test_pagination_numbers(page: int, total: int, numbers: list[int | None]) -> None:
    assert Pagination(page=page, total=total).numbers() == numbers


@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=1, max_value=100), st.data())
def test_pagination_properties(total: int, per_page: int, data: st.DataObject) -> None:
    pages = max(1, -(-total // per_page))
    page = data.draw(st.integers(min_value=1, max_value=pages))
    pagination = Pagination(page=page, total=total, per_page=per_page)
    assert pagination.pages == pages
    assert (pages - 1) * per_page < max(total, 1) <= pages * per_page
    if total:
        assert pagination.first_row == pagination.offset + 1
        assert pagination.last_row - pagination.first_row + 1 == min(per_page, total - pagination.offset)
    else:
        assert (pagination.first_row, pagination.last_row) == (0, 0)
    numbers = pagination.numbers()
    shown = [n for n in numbers if n is not None]
    assert shown[0] == 1
    assert shown[-1] == pages
    assert shown == sorted(set(shown))
    assert set(range(max(1, page - 2), min(pages, page + 2) + 1)) <= set(shown)
    assert set(shown) <= {1, pages, *range(page - 2, page + 3)}
    for before, item, after in zip(numbers, numbers[1:], numbers[2:], strict=False):
        if item is None:
            assert before is not None
            assert after is not None
            assert after - before > 1
    for before, after in itertools.pairwise(numbers):
        if before is not None and after is not None:
            assert after == before + 1
    assert numbers[0] is not None
    assert numbers[-1] is not None


# ---------------------------------------------------------------- navigation


def viewer(role: Role) -> Viewer:
    return Viewer(user_id=1, email="someone@example.org", name="Someone", role=role, organisation_id=1)


EVERYONE_ELSE = [
    ("Practitioners", "/practitioners"),
    ("Learning time", "/team/learning-time"),
    ("Events", "/events"),
    ("My bookings", "/bookings"),
    ("Organisations", "/organisations"),
    ("To verify", "/verification"),
    ("Registrations to confirm", "/registration-claims"),
    ("Metrics", "/metrics"),
    ("Exports", "/exports"),
    ("Import", "/import"),
    ("Invitations", "/invitations"),
]


def test_to_approve_shows_the_count_to_anyone_who_has_bookings_waiting() -> None:
    manager = [(i["text"], i["href"]) for i in navigation(viewer(Role.MANAGER), "/", to_approve=3)]
    assert ("To approve (3)", "/bookings?team=1") in manager
    lead = [(i["text"], i["href"]) for i in navigation(viewer(Role.LEAD), "/", to_approve=1)]
    assert ("To approve (1)", "/bookings?team=1") in lead
    assert all(text != "To approve" for text, _ in [(i["text"], i["href"]) for i in navigation(viewer(Role.LEAD), "/")])


@pytest.mark.parametrize(
    ("role", "items"),
    [
        (
            Role.PRACTITIONER,
            [
                ("My record", "/me"),
                ("Events", "/events"),
                ("My bookings", "/bookings"),
                ("To verify", "/verification"),
            ],
        ),
        (
            Role.MANAGER,
            [
                ("My team", "/practitioners"),
                ("My record", "/me"),
                ("Learning time", "/team/learning-time"),
                ("To approve", "/bookings?team=1"),
                ("Events", "/events"),
                ("My bookings", "/bookings"),
                ("Organisations", "/organisations"),
                ("To verify", "/verification"),
            ],
        ),
        (Role.PARTNER_ADMIN, [*EVERYONE_ELSE, ("Sign-ins", "/admin/users")]),
        (Role.LEAD, [*EVERYONE_ELSE, ("Audit log", "/audit")]),
        (
            Role.ADMIN,
            [
                *EVERYONE_ELSE,
                ("Sign-ins", "/admin/users"),
                ("Audit log", "/audit"),
                ("Frameworks", "/admin/frameworks"),
                ("Single sign-on", "/admin/sso"),
                ("Mail", "/admin/outbox"),
            ],
        ),
    ],
    ids=lambda value: value.value if isinstance(value, Role) else None,
)
def test_navigation_items_by_role(role: Role, items: list[tuple[str, str]]) -> None:
    nav = navigation(viewer(role), "/")
    assert [(item["text"], item["href"]) for item in nav] == items
    assert not any(item["active"] for item in nav)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_import_only_for_editors(role: Role) -> None:
    texts = [item["text"] for item in navigation(viewer(role), "/")]
    assert ("Import" in texts) is (role in {Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN})
    assert ("My record" in texts) is (role in {Role.PRACTITIONER, Role.MANAGER})


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_events_and_bookings_for_every_role(role: Role) -> None:
    items = [(item["text"], item["href"]) for item in navigation(viewer(role), "/")]
    assert ("Events", "/events") in items
    assert ("My bookings", "/bookings") in items


def test_no_navigation_when_signed_out() -> None:
    assert navigation(None, "/practitioners") == []


@pytest.mark.parametrize(
    ("path", "active"),
    [
        ("/practitioners", "Practitioners"),
        ("/practitioners/12", "Practitioners"),
        ("/practitioners/12/edit", "Practitioners"),
        ("/organisations", "Organisations"),
        ("/organisations/3", "Organisations"),
        ("/import", "Import"),
        ("/import/practitioners", "Import"),
        ("/events", "Events"),
        ("/events/7/edit", "Events"),
        ("/bookings", "My bookings"),
        ("/bookings/3/cancel", "My bookings"),
        ("/events.ics", None),
        ("/practitioners-export", None),
        ("/importer", None),
        ("/", None),
        ("/me", None),
    ],
)
def test_navigation_active_item(path: str, active: str | None) -> None:
    nav = navigation(viewer(Role.LEAD), path)
    assert [item["text"] for item in nav if item["active"]] == ([active] if active else [])


@pytest.mark.parametrize(
    ("path", "active"),
    [("/me", ["My record"]), ("/practitioners/4", ["My team"]), ("/organisations", ["Organisations"]), ("/x", [])],
)
def test_manager_navigation_active_item(path: str, active: list[str]) -> None:
    assert [item["text"] for item in navigation(viewer(Role.MANAGER), path) if item["active"]] == active


# ---------------------------------------------------------------- sentences


@pytest.mark.parametrize(
    ("problems", "expected"),
    [
        ({}, {}),
        ({"weekly_hours": "must be 60 or less"}, {"weekly_hours": "Average weekly CLD hours must be 60 or less"}),
        ({"email": "is required"}, {"email": "Email address is required"}),
        ({"completed_on": "must be today or in the past"}, {"completed_on": "Date completed must be today or in the past"}),
        ({"file": "The file must be smaller than 10 MB"}, {"file": "The file must be smaller than 10 MB"}),
        ({"left_on": "must be on or after started_on"}, {"left_on": "Left on must be on or after started_on"}),
        (
            {"given_name": "must not be empty", "contract": "must be one of x"},
            {"given_name": "Given name must not be empty", "contract": "Contract must be one of x"},
        ),
    ],
)
def test_sentences(problems: dict[str, str], expected: dict[str, str]) -> None:
    assert sentences(problems) == expected


def test_sentences_keep_field_order() -> None:
    assert list(sentences({"b_field": "x", "a_field": "y"})) == ["b_field", "a_field"]


def test_a_fragment_is_rendered_from_its_context_alone() -> None:
    """Kept per distinct context: the same values give the same markup, other values other markup."""
    from markupsafe import Markup

    from registry.web.templating import fragment

    hosts = (("DCC", "Dundee City Council"), ("FIFE", "Fife Council"))
    context = {"params": (("host", "FIFE"),), "errors": (), "managing": False, "competences": (), "formats": (),
               "hosts": hosts, "authorities": ()}  # fmt: skip
    chosen = fragment("events/_filters.html", **context)
    assert isinstance(chosen, Markup)
    assert '<option value="FIFE" selected>Fife Council</option>' in chosen
    assert fragment("events/_filters.html", **context) == chosen
    other = fragment("events/_filters.html", **{**context, "params": (("host", "DCC"),)})
    assert '<option value="DCC" selected>Dundee City Council</option>' in other
    assert '<option value="FIFE">Fife Council</option>' in other


def test_a_fragment_refuses_values_that_could_change_behind_its_back() -> None:
    from registry.web.templating import fragment

    with pytest.raises(TypeError):
        fragment("events/_filters.html", hosts=[("DCC", "Dundee City Council")])
