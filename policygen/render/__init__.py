"""Templates rendered in Jinja's sandbox, with locale-aware formatting."""
