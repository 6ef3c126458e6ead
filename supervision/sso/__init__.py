"""Sign-in through the office's directory (LDAP) or the unified identity service (OpenID Connect)."""
