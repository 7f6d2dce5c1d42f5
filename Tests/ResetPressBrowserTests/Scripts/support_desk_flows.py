#!/usr/bin/env python3
"""Drives the admin's support desk (issue 23) in real headless Chromium against a running `resetpress serve`
whose mail goes over SMTP to an aiosmtpd this script runs on --smtp-port: it refuses --refused with a 550 and
takes every other message with `250 2.0.0 Ok: queued as <id>`.

The scenario: the first user asks twice (the throttle refuses the second), the refused address once (its mail
fails for good), the last user asks and changes the password with the code from the mail. Then sign-in, the
Users page searched for each user, and each user's page read until its mail has settled: the rows of `#timeline`.
Last, a hand-over link for the first user, shown once in `#handover-link`.

Prints `PASS <name>` / `FAIL <name>: <reason>` lines, then `TIMELINE <json>` (per login, the rows the page shows
before the hand-over: when, what, outcome, client IP, detail) and `DONE`; exits 1 after the first failure. The
caller compares the rows with `resetpress users show --json`. Run by ResetPressBrowserTests (SupportDeskBrowserTests).
"""
import argparse
import email
import json
import re
import sys
import threading
import time
import urllib.request
from email import policy

from aiosmtpd.controller import Controller
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from browser_flows import CheckFailed, check, console_problems, request_reset, run_in_browser, screenshot, wait_until

RESET_SUBJECT = "Reset your password for Example Site"
CHANGED_SUBJECT = "Your password on Example Site was changed"


class Relay:
    """aiosmtpd's handler: refuses some recipients at RCPT TO, keeps the rest in memory with the reply it gave."""

    def __init__(self, refused):
        self.refused = refused
        self.lock = threading.Lock()
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown in local recipient table" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        body = message.get_body(("plain",))
        with self.lock:
            reply = "250 2.0.0 Ok: queued as %X" % (0x5B7C3000 + len(self.messages) + 1)
            self.messages.append({"rcpt": list(envelope.rcpt_tos), "subject": str(message["Subject"]),
                                  "text": body.get_content() if body is not None else "", "reply": reply})
        return reply

    def taken(self, recipient, subject):
        with self.lock:
            return [m for m in self.messages if m["rcpt"] == [recipient] and m["subject"] == subject]

    def wait_for(self, recipient, subject, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = self.taken(recipient, subject)
            if found:
                return found[0]
            time.sleep(0.1)
        raise CheckFailed(f"smtp: no '{subject}' to {recipient} within {timeout}s")


def change_password(base, address, code, password):
    body = json.dumps({"email": address, "code": code, "new_password": password}).encode()
    request = urllib.request.Request(base + "/simple-jwt-login/v1/user/reset_password", data=body, method="PUT",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def sign_in(driver, options):
    driver.get(options.base + "/admin")
    wait_until(driver, "desk: sign-in form", lambda d: d.find_elements(By.ID, "sign-in-form"))
    driver.find_element(By.ID, "password").send_keys(options.admin_password)
    driver.find_element(By.CSS_SELECTOR, "#sign-in-form button").click()
    wait_until(driver, "desk: signed in", lambda d: d.current_url.endswith("/admin/dashboard"))
    check("desk: signed in", True)


def open_user(driver, options, login, address):
    """Searches the Users page for the start of the login and follows the user's link."""
    driver.get(options.base + "/admin/users")
    field = wait_until(driver, f"desk: search form for {login}", lambda d: d.find_element(By.CSS_SELECTOR, "#user-search input[name=q]"))
    field.send_keys(login[:3])
    # The list before the search may show the login too: wait for the search's own page to replace it.
    before = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "#user-search button").click()
    WebDriverWait(driver, 10).until(expected_conditions.staleness_of(before))
    wait_until(driver, f"desk: {login} found", lambda d: d.find_elements(By.LINK_TEXT, login))
    rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "#users tbody tr") if r.find_elements(By.LINK_TEXT, login)]
    check(f"desk: the search lists {login} with the address", len(rows) == 1 and address in rows[0].text,
          [r.text for r in rows])
    rows[0].find_element(By.LINK_TEXT, login).click()
    summary = wait_until(driver, f"desk: {login}'s page", lambda d: d.find_element(By.ID, "user-summary"))
    check(f"desk: {login}'s page names the user", login in summary.text and address in summary.text, summary.text)


def timeline_rows(driver):
    rows = []
    for row in driver.find_elements(By.CSS_SELECTOR, "#timeline tbody tr"):
        cells = [cell.text.strip() for cell in row.find_elements(By.TAG_NAME, "td")]
        if len(cells) != 5 or row.get_attribute("class") != cells[1]:
            raise CheckFailed(f"desk: a timeline row is not When, What, Outcome, Client IP, Detail: {row.get_attribute('outerHTML')}")
        rows.append(cells)
    return rows


def settled_timeline(driver, login, expected, timeout=20):
    """The page's rows once they say `expected` (what: outcome, newest first), reloading while mail is under way."""
    deadline = time.time() + timeout
    seen = []
    while time.time() < deadline:
        rows = timeline_rows(driver) if driver.find_elements(By.ID, "timeline") else []
        seen = [f"{what}: {outcome}" for _, what, outcome, _, _ in rows]
        if seen == expected:
            check(f"desk: {login}'s timeline says what happened", True)
            return rows
        time.sleep(0.5)
        driver.refresh()
    raise CheckFailed(f"desk: {login}'s timeline says what happened: expected {expected}, the page says {seen}")


def support_desk(driver, options, relay):
    (first, first_address), (refused, refused_address), (last, last_address) = \
        [entry.split(":", 1) for entry in options.users.split(",")]
    for address in (first_address, first_address, refused_address, last_address):
        request_reset(options.base, address)
    code = re.search(r"Your reset code is: (\w+)", relay.wait_for(last_address, RESET_SUBJECT)["text"])
    check("smtp: the reset mail carries a code", code is not None)
    answer = change_password(options.base, last_address, code.group(1), "a-brand-new-password-42")
    check("reset: the code changes the password", answer.get("success") is True, answer)
    relay.wait_for(last_address, CHANGED_SUBJECT)

    sign_in(driver, options)
    shown = {}
    open_user(driver, options, first, first_address)
    rows = settled_timeline(driver, first, ["request: throttled: asked again too soon", "mail: sent", "request: issued"])
    reply = relay.taken(first_address, RESET_SUBJECT)[0]["reply"]
    check("desk: the sent mail shows the SMTP server's reply", rows[1][4].startswith(f"{RESET_SUBJECT} — {reply} at "), rows[1][4])
    check("desk: requests show the client IP", rows[0][3] == rows[2][3] == "127.0.0.1" and rows[1][3] == "-", rows)
    shown[first] = rows

    open_user(driver, options, refused, refused_address)
    rows = settled_timeline(driver, refused, ["mail: failed", "request: issued"])
    refusal = f"550 5.1.1 <{refused_address}>: Recipient address rejected: User unknown in local recipient table"
    check("desk: the failed mail shows the SMTP server's refusal", refusal in rows[0][4] and rows[0][4].endswith("(1 try)"), rows[0][4])
    screenshot(driver, options, "admin-support-desk-user.png")
    shown[refused] = rows

    open_user(driver, options, last, last_address)
    rows = settled_timeline(driver, last, ["mail: sent", "password: changed: the code was used", "mail: sent", "request: issued"])
    replies = [relay.taken(last_address, subject)[0]["reply"] for subject in (CHANGED_SUBJECT, RESET_SUBJECT)]
    check("desk: both mails show their replies", rows[0][4].startswith(f"{CHANGED_SUBJECT} — {replies[0]} at ")
          and rows[2][4].startswith(f"{RESET_SUBJECT} — {replies[1]} at "), [rows[0][4], rows[2][4]])
    shown[last] = rows

    # A hand-over link for the first user: the button asks first, the answer shows the link once.
    open_user(driver, options, first, first_address)
    driver.find_element(By.ID, "action-handover").click()
    WebDriverWait(driver, 10).until(expected_conditions.alert_is_present())
    driver.switch_to.alert.accept()
    # Read as the wait's result, so that an element of a page still being replaced is retried, not stale.
    link_text, first_row, timeline_text = wait_until(
        driver, "desk: the hand-over link is shown",
        lambda d: (d.find_element(By.CSS_SELECTOR, "#handover-link code").text, timeline_rows(d)[0], d.find_element(By.ID, "timeline").text))
    check("desk: the hand-over link is shown", re.fullmatch(re.escape(options.base) + r"/_resetpassword\?code=[0-9]+\.[A-Za-z0-9_-]{43}", link_text),
          link_text)
    check("desk: the timeline records the hand-over without the link",
          first_row[1:3] == ["support", "a hand-over link was made"] and link_text not in timeline_text)
    # The answer is the POST's own page (/admin/users/<id>/handover); the user's page itself never shows the link.
    driver.get(driver.current_url.rsplit("/", 1)[0])
    wait_until(driver, "desk: back on the user's page", lambda d: d.find_elements(By.ID, "user-summary"))
    check("desk: the link is not shown again", not driver.find_elements(By.ID, "handover-link")
          and link_text not in driver.page_source, driver.current_url)
    problems = [p for p in console_problems(driver) if "favicon.ico" not in p]
    check("desk: no CSP violation or script error", not problems, problems)
    print("TIMELINE " + json.dumps(shown), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--mail-dir", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--users", required=True, help="login:email,login:email,login:email (the second is refused)")
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    options = parser.parse_args()
    refused_address = options.users.split(",")[1].split(":", 1)[1]
    relay = Relay({refused_address})
    controller = Controller(relay, hostname="127.0.0.1", port=options.smtp_port)
    controller.start()
    try:
        return run_in_browser(options, lambda driver, mailbox: support_desk(driver, options, relay))
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
