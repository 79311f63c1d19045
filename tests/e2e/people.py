"""What the journeys' people do in their browser, step by step, as they would by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.documents import corpus
from tests.e2e.conftest import PASSWORD, Journey

FORMS = """() => Array.from(document.querySelectorAll('main form')).map(f => f.action + ' :: ' +
 Array.from(f.elements).map(e => e.tagName + '[' + e.name + ']=' + (e.type || '') + ':' +
 (e.value || '').slice(0, 30)).join(', ')).join('\\n')"""


# A mark on the page's window, gone once the browser loaded the next page.
MARK = "window.__before = true"


def reloaded(page: Any) -> None:
    """Wait until the page marked with MARK was replaced by a new one, loaded."""
    page.wait_for_function("() => window.__before === undefined")
    page.wait_for_load_state()


def show(page: Any) -> str:
    """What a page holds, for the message of a failed step."""
    return f"{page.url}\n{page.inner_text('main')[:3000]}\n{page.evaluate(FORMS)}"


def submit(page: Any, form: str = "main form") -> None:
    """Click the form's submit button and wait for the next page."""
    with page.expect_navigation():
        page.locator(f"{form} button:not([type=button])").last.click()


def sign_up(journey: Journey, page: Any, email: str, *, language: str = "en") -> None:
    """Create an account and follow the link of the verification email."""
    prefix = "" if language == "fr" else f"/{language}"
    page.goto(journey.at(f"{prefix}/accounts/signup/"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    submit(page)
    journey.shot(page, "verification-sent")
    link = journey.link_in(journey.last_email_to(email), "/accounts/confirm-email/")
    page.goto(link)
    if page.locator("main form button[type=submit]").count():
        submit(page)


def fill_identity(page: Any, journey: Journey, *, given: str, family: str) -> None:
    page.goto(journey.at("/en/me/profile/identity/"))
    page.fill("input[name=given_names]", given)
    page.fill("input[name=family_name]", family)
    page.fill("input[name=birth_date]", "1994-03-08")
    page.fill("input[name=birth_place]", "Lille (France)")
    page.fill("input[name=phone]", "+33 6 12 34 56 78")
    page.fill("textarea[name=address]", "12 rue Nationale, 59000 Lille")
    submit(page)


def fill_residence(page: Any, journey: Journey, *, nationality: str = "FR") -> None:
    page.goto(journey.at("/en/me/profile/residence/"))
    page.select_option("select[name=nationality]", nationality)
    page.select_option("select[name=residence_country]", "FR")
    submit(page)


def add_education(
    page: Any, journey: Journey, *, level: str, kind: str, title: str, year: str = "2019"
) -> None:
    page.goto(journey.at("/en/me/profile/education/add/"))
    page.select_option("select[name=level]", level)
    page.select_option("select[name=diploma_kind]", kind)
    page.fill("input[name=title]", title)
    page.fill("input[name=school]", "Université de Lille")
    page.select_option("select[name=country]", "FR")
    page.fill("input[name=year]", year)
    page.check("input[name=status][value=obtained]")
    submit(page)


def add_work(page: Any, journey: Journey, *, start: str, employer: str = "Decathlon") -> None:
    page.goto(journey.at("/en/me/profile/work/add/"))
    page.fill("input[name=employer]", employer)
    page.fill("input[name=position]", "Chargée de projet")
    page.fill("input[name=start]", start)
    submit(page)


def upload_every_document(page: Any, folder: Path) -> list[str]:
    """Send a file for every document the checklist still awaits (optional ones aside)."""
    sent = []
    awaited = page.locator(
        "li.document.state-missing:has(form.upload):not(:has(.badge:text-is('optional')))"
    )
    codes = [card.get_attribute("id").removeprefix("doc-") for card in awaited.all()]
    for code in codes:
        name = "photo.jpg" if code == "photo" else f"{code}.pdf"
        file = folder / name
        file.write_bytes(corpus.jpeg() if code == "photo" else corpus.pdf(text=code))
        upload(page, code, file)
        sent.append(code)
    return sent


def pay_by_card(page: Any, journey: Journey, row: str) -> None:
    """Pay one line of the payments page through the configured card provider."""
    line = page.locator("tr", has_text=row)
    with page.expect_navigation():
        line.locator("button", has_text="Pay by card").click()
    journey.shot(page, "card-checkout")
    submit(page)


def upload(page: Any, code: str, file: Path) -> None:
    """One document of the checklist, sent by its form on the documents page."""
    page.set_input_files(f"#doc-{code} input[type=file]", str(file))
    for field, value in (("valid_until", "2031-05-31"), ("number", "24AB12345")):
        box = page.locator(f"#doc-{code} input[name={field}]")
        if box.count():
            box.fill(value)
    # The page's script sends the file with a progress bar, then reloads the page.
    page.evaluate(MARK)
    page.click(f"#doc-{code} button[type=submit]")
    reloaded(page)
    card = page.locator(f"#doc-{code}")
    assert file.name in card.inner_text(), card.inner_text()


def accept_every_document(journey: Journey, page: Any, reference: str) -> None:
    """The admissions officer accepts each document of the file, then marks it complete."""
    page.goto(journey.at(f"/en/office/files/{reference}/"))
    journey.shot(page, "office-file")
    accepts = page.locator("button[name=decision][value=accept]")
    actions = [button.evaluate("b => b.form.action") for button in accepts.all()]
    for action in actions:
        path = action.removeprefix(journey.url)
        with page.expect_navigation():
            page.locator(f"form[action='{path}'] button[value=accept]").click()
    if page.get_by_role("button", name="Mark the file complete").count():
        submit(page, "form:has(button:text('Mark the file complete'))")


def find_admissible(journey: Journey, page: Any, reference: str, *, score: str = "15") -> None:
    """The pedagogical lead scores each criterion of the review and gives a favourable
    opinion."""
    page.goto(journey.at(f"/en/office/files/{reference}/#admissibility"))
    form = page.locator("#admissibility form")
    for box in form.locator("input[name^=score_]").all():
        box.fill(score)
    form.locator("input[name=outcome][value=positive]").check()
    journey.shot(page, "admissibility")
    submit(page, "#admissibility form")


def seat_the_jury(page: Any, seats: list[tuple[Any, str]], reference: str) -> str:
    """On the session's page, the officer seats the members, marks them sitting and puts
    the file on the agenda; the page's address comes back."""
    for person, seat in seats:
        page.select_option("select[name=user]", str(person.pk))
        page.select_option("select[name=seat]", seat)
        submit(page, "form:has(select[name=seat])")
    while page.get_by_role("button", name="Mark sitting").count():
        with page.expect_navigation():
            page.get_by_role("button", name="Mark sitting").first.click()
    if not page.locator(f"#file-{reference}").count():
        page.fill("input[name=reference]", reference)
        submit(page, "form:has(input[name=reference])")
    return str(page.url.split("#")[0].split("?")[0])


def enter_decision(
    page: Any, reference: str, outcome: str, *, rank: int | None = None, reason: str = ""
) -> None:
    """A jury member enters the decision on the file's card of the deliberation page."""
    card = f"#file-{reference}"
    page.select_option(f"{card} select[name$=outcome]", outcome)
    if rank is not None:
        page.fill(f"{card} input[name$=waitlist_rank]", str(rank))
    if reason:
        page.fill(f"{card} input[name$=reason]", reason)
    submit(page, f"{card} form[action$='/decide/']")


def validate_and_publish(page: Any) -> None:
    """The president validates the decisions the members entered and publishes them."""
    submit(page, "form:has(button:text('Validate the decisions entered'))")
    submit(page, "form:has(button:text('Publish the validated decisions'))")


def headers_above_columns(page: Any, table: str) -> list[str]:
    """The headers of a table that do not stand above their column's first cell, on the
    page's current viewport."""
    return list(
        page.locator(table).evaluate(
            """t => Array.from(t.tHead.rows[0].cells).flatMap((th, i) => {
                 const td = t.tBodies[0].rows[0].cells[i];
                 const a = th.getBoundingClientRect(), b = td.getBoundingClientRect();
                 return Math.abs(a.left - b.left) < 1 && Math.abs(a.width - b.width) < 1
                   ? [] : [th.textContent.trim()];
               })"""
        )
    )
