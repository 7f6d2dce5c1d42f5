"""Schemathesis hooks for scripts/contract-fuzz (loaded through SCHEMATHESIS_HOOKS).

`refused_only_for_the_code`: schema-valid data answered 400 must be the refusal of an unknown code or link
(62, or the link-expired page), or, on the form, of a `confirm_password` that differs from `new_password`
(121, a rule JSON Schema cannot state). See contract-fuzz.toml for why a 400 is allowed at all.
"""
import json

import schemathesis

EXPIRED_PAGE = "This link no longer works"
MISMATCH = "The two passwords do not match."


def _fields(case):
    body = case.body if isinstance(case.body, dict) else {}
    return {**(case.query or {}), **body}


@schemathesis.check
def refused_only_for_the_code(ctx, response, case):
    meta = case.meta
    if response.status_code != 400 or meta is None or not meta.generation.mode.is_positive:
        return None
    text = response.text or ""
    fields = _fields(case)
    try:
        code = json.loads(text)["data"]["errorCode"]
    except (ValueError, KeyError, TypeError):
        code = None
    if code == 62 or EXPIRED_PAGE in text:
        return None
    mismatched = "confirm_password" in fields and fields.get("confirm_password") != fields.get("new_password")
    if mismatched and (code == 121 or MISMATCH in text):
        return None
    raise AssertionError(f"Schema-valid data refused for another reason than the code: {text[:300]}")
