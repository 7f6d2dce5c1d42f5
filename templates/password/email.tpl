Subject: Reset your password for {{SITE_NAME}}

Hello {{NAME}},

We received a request to reset the password of the account {{USERNAME}} on {{SITE_NAME}}.

Your reset code is: {{CODE}}

You can also choose a new password on this page:
{{RESET_LINK}}

The code and the link work once and expire on {{EXPIRES_AT}}.

If you did not ask for this, you can ignore this email: your password stays as it is,
and nobody can change it without this code. The request came from the address {{IP}}.

Didn't ask for this? Cancel it, and no new code is sent for a while:
{{CANCEL_LINK}}

-- 
{{SITE_NAME}}
{{SITE}}
