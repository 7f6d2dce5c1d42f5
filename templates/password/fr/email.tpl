Subject: Réinitialisation de votre mot de passe sur {{SITE_NAME}}

Bonjour {{NAME}},

Nous avons reçu une demande de réinitialisation du mot de passe du compte {{USERNAME}} sur {{SITE_NAME}}.

Votre code de réinitialisation : {{CODE}}

Vous pouvez aussi choisir un nouveau mot de passe sur cette page :
{{RESET_LINK}}

Le code et le lien ne servent qu'une fois et expirent le {{EXPIRES_AT}}.

Si vous n'êtes pas à l'origine de cette demande, vous pouvez ignorer ce message : votre mot de passe
ne change pas, et personne ne peut le modifier sans ce code. La demande vient de l'adresse {{IP}}.

Ce n'était pas vous ? Annulez la demande, et aucun nouveau code ne sera envoyé pendant un moment :
{{CANCEL_LINK}}

-- 
{{SITE_NAME}}
{{SITE}}
