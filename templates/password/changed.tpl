Subject: Your password on {{SITE_NAME}} was changed

Hello {{NAME}},

The password of the account {{USERNAME}} on {{SITE_NAME}} was just changed.

If you made this change, there is nothing else to do.

If you did not, someone else may have access to your email: reset your password again
at once and contact the site's administrator ({{SITE}}). The change came from the
address {{IP}}.

-- 
{{SITE_NAME}}
