"""The app under test: the fixed day, the demo password, settings on a temporary directory, a
generated `test`-scale database and the app built on it (fixtures in tests/conftest.py use these)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from settings import Settings

#: the day the test data is generated for and the query layer counts from
TODAY = dt.date(2026, 11, 22)
#: every demo user's password in the tests
PASSWORD = "Demo@2026!"


def make_settings(tmp: Path, url: str | None = None, province: int = 22) -> Settings:
    """Settings on directory `tmp` (SQLite there unless `url` names another database)."""
    return Settings(province=province, database_url=url or "", data_dir=tmp, demo_scale="test",
                    secret_key="test-secret", audit_key="test-audit-key", demo_password=PASSWORD,
                    warning_schedule_s=0, backup_schedule="", columnar_every_s=0,
                    # no job-runner thread in the test processes (a test that queues a job runs it:
                    # tests/support/jobs.py settle); the browser tests' served apps have one
                    jobs_in_process=False)


#: generated `test`-scale data directories of this test process, by what decides their content
_TEMPLATES: dict[str, Settings] = {}


def generate_test_data(settings: Settings, **kwargs) -> Settings:
    """Fill the (empty) database of `settings` with the `test` scale as of TODAY; returns `settings`.
    A SQLite database in its data directory is generated once per test process for the same
    settings (but the directory) and copied for every later caller (tests/support/copies.py): the
    generator is deterministic, and the copy takes about 0.03 s instead of 6.7 s."""
    import atexit
    import shutil
    import tempfile
    from dataclasses import replace

    from data.admin.audit_log import use_head_file
    from data.db import sqlite_path
    from data.demo import generate
    from tests.support.copies import copy_data_dir

    own_file = settings.database_url == settings.with_(database_url="").database_url
    if not own_file or not settings.is_sqlite or sqlite_path(settings.database_url).exists():
        generate(settings, "test", today=TODAY, log=lambda *_: None, **kwargs)
        return settings
    key = repr((replace(settings, data_dir=Path("."), database_url="", jobs_in_process=False), sorted(kwargs.items())))
    template = _TEMPLATES.get(key)
    if template is None:
        where = Path(tempfile.mkdtemp(prefix="test-data-template-"))
        atexit.register(shutil.rmtree, where, ignore_errors=True)
        template = settings.with_(data_dir=where, database_url="")
        generate(template, "test", today=TODAY, log=lambda *_: None, **kwargs)
        _TEMPLATES[key] = template
    copy_data_dir(template.data_dir, template.database_url, settings.data_dir, settings.database_url)
    use_head_file(settings.database_url, settings.data_dir)  # as the generator does for its database
    return settings


def build_app(settings: Settings):
    """The Dash app on `settings`, its query layer loaded as of TODAY."""
    from app import create_app
    from data.query import QueryLayer

    return create_app(settings, QueryLayer(settings, today=TODAY).load())


_PROVINCE_DATA: dict[int, Settings] = {}


def province_settings(tmp_path_factory, province: int) -> Settings:
    """A fresh `test`-scale database of `province` (22 Jilin, 36 Jiangxi), generated once per test
    process (every module asking for it in one xdist group shares it); read it, don't write it."""
    if province not in _PROVINCE_DATA:
        _PROVINCE_DATA[province] = generate_test_data(
            make_settings(tmp_path_factory.mktemp(f"province{province}"), province=province))
    return _PROVINCE_DATA[province]
