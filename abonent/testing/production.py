"""Run Django in a fresh process with production settings: settings.py is read once per process at import, so
DEBUG=0 and what it switches on (the start-up refusals, HSTS, the SSL redirect) can only be tested this way."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# A key that passes every check: long, random-looking, not the development one.
SECRET_KEY = "prod-4f9c1a7e2b8d6035e1c94ab72d0f6e3819c5a4b7d2e08f61c3a9b5d7e2f40a18"
SIGNING_KEY = "sign-7d2e08f61c3a9b5d7e2f40a184f9c1a7e2b8d6035e1c94ab72d0f6e3819c5a4b"

# The production environment of docs/DEPLOYMENT.md, less the services a check does not need.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": SECRET_KEY,
    "ALLOWED_HOSTS": "lk.example.ru",
    "CSRF_TRUSTED_ORIGINS": "https://lk.example.ru",
    "PAYMENTS_PROVIDER": "yookassa",
    "YOOKASSA_SHOP_ID": "100500",
    "YOOKASSA_SECRET_KEY": "live_secret",
}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """`python <args>` in the project directory with only PATH and `env` set (no DATABASE_URL, no .env values
    the caller did not ask for: read_env never overrides what is set, so every variable used is set here)."""
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    clean.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    setup = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'abonent.settings'); django.setup()\n"
    return run(["-c", setup + code], env)
