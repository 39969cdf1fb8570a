"""Backups with restore drills (Art. J37, X20–X21): `store` makes and lists them, `restore` runs a
drill, `engines` holds the SQLite and PostgreSQL specifics, `schedule` the daily thread;
`python -m data.backup` is the command line."""
