-- Imports look new logins up by their base ("zoe.martin" for "zoe.martin2"): an expression
-- index keeps that from reading every account of the platform.
CREATE INDEX accounts_login_base ON accounts ((regexp_replace(login, '[0-9]+$', '')));
