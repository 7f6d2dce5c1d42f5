#!/usr/bin/env python3
"""Drives the admin dashboard in real headless Chromium against a running `resetpress serve`:
real reset requests (one known email, one unknown), sign-in, the dashboard with its SVG charts.

Prints `PASS <name>` / `FAIL <name>: <reason>` lines, then `FIGURES <json>` (the numbers the
dashboard shows, per window) and `DONE`; exits 1 after the first failure. The caller compares the
figures with `resetpress stats --json`. Run by ResetPressBrowserTests.
"""
import argparse
import json
import sys
import time

from selenium.webdriver.common.by import By

from browser_flows import check, console_problems, request_reset, run_in_browser, screenshot, wait_until

KINDS = ["request", "code_issued", "completed", "wrong_code", "expired", "burned", "throttled", "rate_limited",
         "unknown_email", "vetoed", "blocked", "cancelled", "handover", "mail_sent", "mail_failed"]
QUEUE = ["queued", "sending", "sent", "failed"]


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text.strip()


def figures(driver, window):
    counts = {kind: int(text(driver, f"count-{kind}-{window}")) for kind in KINDS
              if driver.find_elements(By.ID, f"count-{kind}-{window}")}
    queue = {status: int(text(driver, f"queue-{status}-{window}")) for status in QUEUE
             if driver.find_elements(By.ID, f"queue-{status}-{window}")}
    return {"counts": counts, "queue": queue, "completion_rate": text(driver, f"completion-rate-{window}")}


def dashboard(driver, options, mailbox):
    request_reset(options.base, options.email)
    request_reset(options.base, "nobody@example.org")
    mailbox.next_reset(options.email)
    time.sleep(1)  # the sender records mail_sent right after writing the file

    driver.get(options.base + "/admin")
    wait_until(driver, "dashboard: sign-in form", lambda d: d.find_elements(By.ID, "sign-in-form"))
    driver.find_element(By.ID, "password").send_keys(options.admin_password)
    driver.find_element(By.CSS_SELECTOR, "#sign-in-form button").click()
    wait_until(driver, "dashboard: the landing page after sign-in", lambda d: d.current_url.endswith("/admin/dashboard"))
    check("dashboard: the landing page after sign-in", True)
    first = driver.find_element(By.CSS_SELECTOR, "nav.menu a")
    check("dashboard: first menu item", first.get_attribute("aria-current") == "page" and first.text == "Dashboard", first.text)

    charts = driver.find_elements(By.CSS_SELECTOR, "svg.chart[role=img]")
    check("dashboard: four charts", len(charts) == 4, str(len(charts)))
    for chart in charts:
        title = chart.find_element(By.TAG_NAME, "title").get_attribute("textContent")
        check(f"dashboard: chart titled {title}", bool(title) and chart.size["width"] > 100, chart.get_attribute("id"))
    bars = driver.find_elements(By.CSS_SELECTOR, "#chart-outcomes-24h rect.bar")
    check("dashboard: outcome bars drawn", any(float(bar.get_attribute("width")) > 0 for bar in bars))
    check("dashboard: timeline bars drawn", driver.find_elements(By.CSS_SELECTOR, "#chart-timeline-24h rect.bar"))
    check("dashboard: requests counted", text(driver, "count-request-24h") == "2", text(driver, "count-request-24h"))
    check("dashboard: unknown email counted", text(driver, "count-unknown_email-24h") == "1", text(driver, "count-unknown_email-24h"))
    problems = [p for p in console_problems(driver) if "favicon.ico" not in p]
    check("dashboard: no CSP violation or script error", not problems, problems)
    screenshot(driver, options, "dashboard.png")
    print("FIGURES " + json.dumps({window: figures(driver, window) for window in ("24h", "30d")}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--mail-dir", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    options = parser.parse_args()
    return run_in_browser(options, lambda driver, mailbox: dashboard(driver, options, mailbox))


if __name__ == "__main__":
    sys.exit(main())
