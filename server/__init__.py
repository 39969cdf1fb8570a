"""Web glue around the Dash app: sign-in and sessions, the access guard, security headers."""
