Subject: Votre mot de passe sur {{SITE_NAME}} a été modifié

Bonjour {{NAME}},

Le mot de passe du compte {{USERNAME}} sur {{SITE_NAME}} vient d'être modifié.

Si c'est vous qui l'avez modifié, vous n'avez rien d'autre à faire.

Sinon, quelqu'un d'autre a peut-être accès à votre messagerie : réinitialisez tout de suite
votre mot de passe et contactez l'administrateur du site ({{SITE}}). La modification vient
de l'adresse {{IP}}.

-- 
{{SITE_NAME}}
