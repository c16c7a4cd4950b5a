"""`make run` on another port: the printout, the server and the letters agree on the address; letters land in
var/mail/. The commands run as `make run` runs them, in a process of their own with the environment it sets."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = settings.BASE_DIR


def _make_run_commands(*args: str) -> list[str]:
    dry = subprocess.run(["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return dry.stdout.splitlines()


def _env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "EMAIL_URL", "PORT", "HOST")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'run.sqlite3'}"
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("make_run")
    env = _env(tmp)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return env


def test_make_run_on_port_8101_prints_and_serves_that_port(migrated):
    lines = _make_run_commands("PORT=8101")
    printout = next(line for line in lines if "manage.py demo_logins" in line)
    server = next(line for line in lines if "manage.py runserver" in line)
    assert server.endswith("runserver 127.0.0.1:8101")
    assert "SITE_URL=http://127.0.0.1:8101" in server  # the letters' links
    # The printout command exactly as make runs it (its SITE_URL=… prefix is the environment it sets).
    text = subprocess.run(
        printout, shell=True, cwd=ROOT, env=migrated, capture_output=True, text=True, check=True
    ).stdout
    assert "Абонент: http://127.0.0.1:8101/" in text
    assert "Рабочее место оператора: http://127.0.0.1:8101/admin/" in text
    assert ":8000" not in text
    assert text.count("Демо-входы (логин / пароль):") == 1


def test_letters_go_to_var_mail_and_the_printout_says_so(migrated):
    text = subprocess.run(
        [sys.executable, "manage.py", "demo_logins"], cwd=ROOT, env=migrated, capture_output=True, text=True, check=True
    ).stdout
    assert f"файлы в {ROOT / 'var' / 'mail'}" in text
    assert "Абонент: http://127.0.0.1:8000/" in text  # no SITE_URL, no request: the development server's default


def _settings_of(env: dict, *names: str) -> list[str]:
    code = "import django; django.setup(); from django.conf import settings as s; " + "; ".join(
        f"print(s.{name})" for name in names
    )
    env = {**env, "DJANGO_SETTINGS_MODULE": "abonent.settings"}
    out = subprocess.run([sys.executable, "-c", code], cwd="/", env=env, capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


@pytest.mark.parametrize(
    ("email_url", "folder"),
    [
        (None, str(ROOT / "var" / "mail")),
        ("filemail://var/letters", str(ROOT / "var" / "letters")),
        ("filemail:///tmp/abonent-letters", "/tmp/abonent-letters"),
    ],
)
def test_mail_folder_is_absolute_whatever_the_current_directory(tmp_path, email_url, folder):
    env = _env(tmp_path)
    env["PYTHONPATH"] = str(ROOT)
    if email_url:
        env["EMAIL_URL"] = email_url
    backend, path = _settings_of(env, "EMAIL_BACKEND", "EMAIL_FILE_PATH")
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert path == folder


def test_seed_demo_leaves_the_logins_to_demo_logins(db):

    out = StringIO()
    call_command("seed_demo", "--months", "0", stdout=out)
    assert "Демо-входы (логин / пароль):" not in out.getvalue()
    assert "demo_logins" in out.getvalue()
