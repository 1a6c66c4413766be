"""Settings come from the environment: safe development defaults, a production mode that refuses
to start half-configured, and a real production config that passes `check --deploy`."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import email_settings_from_url, env_bool, env_int, env_list

# Variables the settings read; each subprocess starts with none of them set.
CONFIG_VARS = {
    "DJANGO_ENV",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "REDIS_CACHE_URL",
    "EMAIL_URL",
    "EMAIL_HOST",
    "SITE_URL",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "ADMIN_URL",
    "VAR_DIR",
    "DJANGO_SETTINGS_MODULE",
    "DB_PREPARED_STATEMENTS",
}


def run_manage(*args: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in CONFIG_VARS}
    clean["VAR_DIR"] = str(tmp_path / "var")
    clean.update(env)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_read_by(script: str, *, env: dict[str, str], tmp_path) -> object:
    """What ``script`` prints last, as JSON, run in a fresh process with only ``env`` set."""
    clean = {key: value for key, value in os.environ.items() if key not in CONFIG_VARS}
    clean |= {"VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(  # noqa: S603 - our own settings with fixed arguments
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def real_production_env(tmp_path) -> dict[str, str]:
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "peertables.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
        "EMAIL_URL": "smtp://localhost:25",
    }


def test_production_refuses_to_start_with_nothing_set(tmp_path):
    result = run_manage("check", env={"DJANGO_ENV": "production"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "refuses to start" in result.stderr
    assert "SECRET_KEY is not set to a real secret" in result.stderr
    assert "ALLOWED_HOSTS is empty" in result.stderr
    assert "DATABASE_URL is not set" in result.stderr


def test_debug_off_is_production_too(tmp_path):
    result = run_manage("check", env={"DEBUG": "0"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "refuses to start" in result.stderr


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY is not set to a real secret"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS is empty"),
        ("DATABASE_URL", "DATABASE_URL is not set"),
        ("EMAIL_URL", "needs EMAIL_URL or EMAIL_HOST"),
    ],
)
def test_production_names_the_one_missing_piece(tmp_path, missing, message):
    env = real_production_env(tmp_path)
    del env[missing]
    result = run_manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
    others = {
        "SECRET_KEY is not set to a real secret",
        "ALLOWED_HOSTS is empty",
        "DATABASE_URL is not set",
    } - {message}
    for other in others:
        assert other not in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path):
    env = real_production_env(tmp_path) | {"SECRET_KEY": "short-but-not-default"}
    result = run_manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_real_production_config_passes_check_deploy(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=real_production_env(tmp_path),
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_development_defaults_need_no_server(tmp_path):
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
        "'name': str(s.DATABASES['default']['NAME']), 'broker': s.CELERY_BROKER_URL, "
        "'cache': s.CACHES['default']['BACKEND'], 'debug': s.DEBUG, "
        "'email': s.EMAIL_BACKEND, 'check_broker': s.HEALTHZ_CHECK_BROKER}))"
    )
    found = settings_read_by(script, env={}, tmp_path=tmp_path)
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(tmp_path / "var" / "peertables.sqlite3")
    assert found["broker"] == "filesystem://"
    assert (tmp_path / "var" / "celery" / "queue").is_dir()
    assert found["cache"].endswith("LocMemCache")
    assert found["debug"] is True
    assert found["email"] == "config.mail.DevelopmentEmailBackend"
    assert found["check_broker"] is False


@pytest.mark.parametrize(
    ("url", "switch", "threshold"),
    [
        ("postgres://u@db.example.org/app", None, 5),
        ("postgres://u@db.example.org/app", "0", None),
        ("sqlite:///x.sqlite3", None, None),
    ],
)
def test_prepared_statements_are_on_for_postgresql_unless_turned_off(
    tmp_path, url, switch, threshold
):
    """config/compiled.py prepares its queries where the connection has a threshold."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.DATABASES['default'].get('OPTIONS', {}).get('prepare_threshold')))"
    )
    env = {"DATABASE_URL": url} | ({} if switch is None else {"DB_PREPARED_STATEMENTS": switch})
    assert settings_read_by(script, env=env, tmp_path=tmp_path) == threshold


@pytest.mark.real_passwords
def test_argon2_hashes_new_passwords():
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    from django.contrib.auth.hashers import make_password

    assert make_password("a quiet table").startswith("argon2$")


def test_sign_in_by_email_with_mandatory_verification():
    assert {"email"} == settings.ACCOUNT_LOGIN_METHODS
    assert settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
    assert settings.ACCOUNT_PREVENT_ENUMERATION is True
    assert settings.AUTH_USER_MODEL == "members.User"


def test_email_url_smtp_with_starttls():
    found = email_settings_from_url("smtp://mailer%40example.org:p%40ss@mail.example.org:587?tls=1")
    assert found == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer@example.org",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }


def test_email_url_plain_smtp_defaults():
    found = email_settings_from_url("smtp://localhost")
    assert found["EMAIL_HOST"] == "localhost"
    assert found["EMAIL_PORT"] == 25
    assert found["EMAIL_HOST_USER"] == found["EMAIL_HOST_PASSWORD"] == ""
    assert found["EMAIL_USE_TLS"] is False and found["EMAIL_USE_SSL"] is False


def test_email_url_smtps_is_implicit_tls_on_465():
    found = email_settings_from_url("smtps://user:secret@smtp.example.org")
    assert found["EMAIL_PORT"] == 465
    assert found["EMAIL_USE_SSL"] is True
    assert found["EMAIL_USE_TLS"] is False
    assert found["EMAIL_HOST_USER"] == "user"


def test_email_url_console_and_file():
    assert email_settings_from_url("console://") == {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"
    }
    assert email_settings_from_url("file:///var/spool/peertables") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/var/spool/peertables",
    }


@pytest.mark.parametrize("url", ["http://mail.example.org", "sendmail://", "mail.example.org"])
def test_email_url_bad_scheme_is_refused_by_name(url):
    with pytest.raises(ImproperlyConfigured, match="is not one of smtp, smtps, console, file"):
        email_settings_from_url(url)


def test_env_readers(monkeypatch):
    monkeypatch.setenv("PT_FLAG", "yes")
    monkeypatch.setenv("PT_NUMBER", "42")
    monkeypatch.setenv("PT_LIST", " a.example , b.example,, ")
    assert env_bool("PT_FLAG", False) is True
    assert env_int("PT_NUMBER", 0) == 42
    assert env_list("PT_LIST") == ["a.example", "b.example"]
    assert env_bool("PT_UNSET", True) is True
    monkeypatch.setenv("PT_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="PT_FLAG must be a boolean"):
        env_bool("PT_FLAG", False)
    monkeypatch.setenv("PT_NUMBER", "lots")
    with pytest.raises(ImproperlyConfigured, match="PT_NUMBER must be a whole number"):
        env_int("PT_NUMBER", 0)
