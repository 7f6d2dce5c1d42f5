#!/usr/bin/env python3
"""Drives the admin's Bulk reset page in real headless Chromium against a running `resetpress serve`:
sign-in, the form (all users, expire passwords), the confirmation step with its count, the confirm,
the run's status page (refreshed by its link, no script needed), a reset mail per user, and the mail
queue listing them.

Prints `PASS <name>` / `FAIL <name>: <reason>` lines and `DONE`; exits 1 after the first failure.
Run by ResetPressBrowserTests (BulkResetBrowserTests), which then checks the old passwords fail.
"""
import argparse
import email
import sys
from email import policy

from selenium.webdriver.common.by import By

from browser_flows import LINK, check, console_problems, parts, run_in_browser, screenshot, wait_until


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text.strip()


def recipients(mailbox):
    """The `To:` address of each reset mail delivered so far (one entry per mail)."""
    found = []
    for path in mailbox.files():
        with open(path, "rb") as handle:
            message = email.message_from_binary_file(handle, policy=policy.default)
        if LINK.search("".join(parts(message))):
            found.append(message["To"].addresses[0].addr_spec.lower())
    return found


def bulk_reset(driver, options, mailbox):
    emails = options.emails.split(",")
    driver.get(options.base + "/admin")
    wait_until(driver, "bulk: sign-in form", lambda d: d.find_elements(By.ID, "sign-in-form"))
    driver.find_element(By.ID, "password").send_keys(options.admin_password)
    driver.find_element(By.CSS_SELECTOR, "#sign-in-form button").click()
    wait_until(driver, "bulk: signed in", lambda d: d.current_url.endswith("/admin/dashboard"))

    link = driver.find_element(By.LINK_TEXT, "Bulk reset")
    link.click()
    wait_until(driver, "bulk: the page from the menu", lambda d: d.find_elements(By.ID, "bulk-reset-form"))
    check("bulk: the page from the menu", driver.current_url.endswith("/admin/bulk-reset"))

    driver.find_element(By.ID, "selection-all").click()
    driver.find_element(By.ID, "expire_passwords").click()
    driver.find_element(By.ID, "bulk-reset-review").click()
    wait_until(driver, "bulk: confirmation shown", lambda d: d.find_elements(By.ID, "bulk-reset-confirmation"))
    count = text(driver, "bulk-reset-count")
    check("bulk: confirmation counts the users", count == str(len(emails)), count)
    check("bulk: confirmation says the passwords expire", "stop working at once" in text(driver, "bulk-reset-expire"),
          text(driver, "bulk-reset-expire"))
    button = driver.find_element(By.ID, "bulk-reset-confirm")
    check("bulk: the confirm button names the count", f"Send {len(emails)} reset mails" in button.text, button.text)
    run_id = text(driver, "bulk-reset-run-id")
    screenshot(driver, options, "admin-bulk-reset-confirm.png")
    check("bulk: nothing queued before the confirm", not mailbox.files(), mailbox.files())

    button.click()
    wait_until(driver, "bulk: the run's page", lambda d: d.find_elements(By.ID, "bulk-reset-run"))
    check("bulk: the run's page", driver.current_url.endswith("/admin/bulk-reset/runs/" + run_id), driver.current_url)

    def finished(d):
        if text(d, "run-state") == "finished":
            return True
        d.find_element(By.ID, "run-refresh").click()  # the page refreshes by a plain link
        return False
    wait_until(driver, "bulk: the run finishes", finished)
    check("bulk: the run finishes", True)
    check("bulk: the run queued a mail per user", text(driver, "run-queued") == str(len(emails)), text(driver, "run-queued"))
    check("bulk: the store counts them", text(driver, "run-sent") == str(len(emails)), text(driver, "run-sent"))

    wait_until(driver, "bulk: every user got a reset mail", lambda d: sorted(recipients(mailbox)) == sorted(emails), timeout=60)
    check("bulk: every user got a reset mail", True)

    driver.get(options.base + "/admin/mail")
    wait_until(driver, "bulk: mail queue", lambda d: d.find_elements(By.ID, "mail-queue"))
    queue = driver.find_element(By.ID, "mail-queue").text
    check("bulk: the mail queue lists each user", all(address in queue for address in emails), queue)

    problems = [p for p in console_problems(driver) if "favicon.ico" not in p]
    check("bulk: no CSP violation or script error", not problems, problems)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--mail-dir", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--emails", required=True, help="the site's users, comma-separated")
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    options = parser.parse_args()
    return run_in_browser(options, lambda driver, mailbox: bulk_reset(driver, options, mailbox))


if __name__ == "__main__":
    sys.exit(main())
