"""Settings traps: an empty value never switches a protection off, importing the settings writes nothing, the
provider emulator's looser download rules cannot reach production, and the README's production example passes
`check --deploy`. Each test imports the settings in a fresh process with exactly the environment it names."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
KEY = "a-settings-test-key-0123456789abcdefghijklmnopqrstuvwxyz"


def run_python(code: str, env: dict[str, str], *, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    clean["DJANGO_SETTINGS_MODULE"] = "seedance_studio.settings"
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def settings_of(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: str(getattr(settings, name)) for name in {list(names)!r}}}))"
    )
    done = run_python(code, env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def refusal_of(env: dict[str, str]) -> str:
    done = run_python("from django.conf import settings; settings.DEBUG", env)
    assert done.returncode != 0, "the settings were accepted"
    return done.stderr.strip().splitlines()[-1]


def test_it_keeps_secure_cookies_on_when_the_variable_is_empty():
    found = settings_of(
        {"DJANGO_SECRET_KEY": KEY, "DJANGO_SECURE_COOKIES": "", "DJANGO_DEBUG": ""},
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "DEBUG",
    )
    assert found == {"SESSION_COOKIE_SECURE": "True", "CSRF_COOKIE_SECURE": "True", "DEBUG": "False"}


def test_it_reads_every_empty_security_value_as_its_default():
    empty = {
        name: ""
        for name in (
            "DJANGO_ALLOWED_HOSTS",
            "DJANGO_HSTS_SECONDS",
            "DJANGO_SSL_REDIRECT",
            "DJANGO_BEHIND_TLS_PROXY",
            "PROVIDER_EMULATOR",
            "MEDIA_ROOT",
            "STUDIO_VAR_DIR",
            "LOG_LEVEL",
            "LOG_FORMAT",
            "SIGNIN_ACCOUNT_FAILURES",
        )
    }
    found = settings_of(
        {"DJANGO_SECRET_KEY": KEY, **empty},
        "ALLOWED_HOSTS",
        "SECURE_SSL_REDIRECT",
        "MEDIA_ROOT",
        "LOG_FORMAT",
        "SIGNIN_ACCOUNT_FAILURES",
    )
    assert found == {
        "ALLOWED_HOSTS": "['127.0.0.1', 'localhost']",
        "SECURE_SSL_REDIRECT": "False",
        "MEDIA_ROOT": str(ROOT / "var" / "media"),  # not the working directory, which Path("") would be
        "LOG_FORMAT": "plain",
        "SIGNIN_ACCOUNT_FAILURES": "10",
    }


def test_it_turns_secure_cookies_off_only_when_told_so_explicitly():
    assert settings_of({"DJANGO_SECRET_KEY": KEY, "DJANGO_SECURE_COOKIES": "0"}, "SESSION_COOKIE_SECURE") == {
        "SESSION_COOKIE_SECURE": "False"
    }
    assert "DJANGO_SECURE_COOKIES='maybe' is not a boolean" in refusal_of(
        {"DJANGO_SECRET_KEY": KEY, "DJANGO_SECURE_COOKIES": "maybe"}
    )


def test_it_refuses_an_unknown_log_format():
    assert "LOG_FORMAT='xml' is not a log format: use plain or json." in refusal_of(
        {"DJANGO_SECRET_KEY": KEY, "LOG_FORMAT": "xml"}
    )


def test_importing_the_settings_writes_no_file(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    var = work / "var"
    # Debug on, no key: the case that used to write var/dev-secret-key, the upload and database directories.
    done = run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY[:4])",
        {"DJANGO_DEBUG": "1", "STUDIO_VAR_DIR": str(var)},
        cwd=work,
    )
    assert done.returncode == 0, done.stderr
    assert list(work.iterdir()) == []


def test_it_makes_the_database_directory_on_the_first_connection(tmp_path):
    var = tmp_path / "var"
    done = run_python(
        "import django; django.setup(); from django.db import connection; connection.ensure_connection()",
        {"DJANGO_DEBUG": "1", "STUDIO_VAR_DIR": str(var)},
    )
    assert done.returncode == 0, done.stderr
    assert (var / "studio.sqlite3").exists()


def test_make_run_keeps_one_development_key(tmp_path, settings, monkeypatch):
    from seedance_studio.worker.management.commands.runstudio import keep_development_secret_key

    settings.VAR_DIR = tmp_path / "var"
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    keep_development_secret_key()
    key_file = tmp_path / "var" / "dev-secret-key"
    key = key_file.read_text()
    assert len(key) >= 50 and key_file.stat().st_mode & 0o777 == 0o600
    keep_development_secret_key()
    assert key_file.read_text() == key  # sessions survive the next `make run`

    # and the settings of the processes it starts read it
    found = settings_of({"DJANGO_DEBUG": "1", "STUDIO_VAR_DIR": str(tmp_path / "var")}, "SECRET_KEY")
    assert found == {"SECRET_KEY": key}


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:8765/piapi", "http://localhost:8765", "http://[::1]:8765", "http://emulator.localhost:1"],
)
def test_it_allows_the_emulator_mode_against_this_machine(base_url):
    env = {"DJANGO_SECRET_KEY": KEY, "PROVIDER_EMULATOR": "1", "PIAPI_API_KEY": "k", "PIAPI_BASE_URL": base_url}
    assert settings_of(env, "DEBUG") == {"DEBUG": "False"}


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({}, "PIAPI_BASE_URL=https://api.piapi.ai"),  # no base URL: the real provider
        ({"PIAPI_BASE_URL": "https://127.0.0.1.example.com"}, "PIAPI_BASE_URL=https://127.0.0.1.example.com"),
        ({"PIAPI_BASE_URL": "http://10.0.0.5:8765"}, "PIAPI_BASE_URL=http://10.0.0.5:8765"),
    ],
)
def test_it_refuses_the_emulator_mode_against_a_real_provider(extra, named):
    env = {"DJANGO_SECRET_KEY": KEY, "PROVIDER_EMULATOR": "1", "PIAPI_API_KEY": "k", **extra}
    refusal = refusal_of(env)
    assert "PROVIDER_EMULATOR=1 is only for the provider emulator on this machine" in refusal
    assert named in refusal and "Unset PROVIDER_EMULATOR in production" in refusal


def test_it_refuses_the_emulator_mode_if_any_one_provider_is_real():
    env = {
        "DJANGO_SECRET_KEY": KEY,
        "PROVIDER_EMULATOR": "1",
        "PIAPI_API_KEY": "k",
        "PIAPI_BASE_URL": "http://127.0.0.1:8765",
        "HIAPI_API_KEY": "k",
        "HIAPI_BASE_URL": "https://hiapi.example.com",
    }
    refusal = refusal_of(env)
    assert "HIAPI_BASE_URL=https://hiapi.example.com" in refusal and "PIAPI_BASE_URL" not in refusal


def production_example() -> dict[str, str]:
    """The variables of the README's production example (the ```sh block after its marker)."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- production-example -->\s*```sh\n(.*?)```", readme, re.S)
    assert block, "README.md lost its production example"
    env = {}
    for line in block.group(1).splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value.strip("'\"")
    return env


def test_the_readme_production_example_passes_check_deploy(tmp_path):
    env = production_example()
    assert env["DJANGO_SECRET_KEY"].startswith("$(")  # the README generates one; so does this test
    env["DJANGO_SECRET_KEY"] = KEY + "-production"
    env["STUDIO_VAR_DIR"] = str(tmp_path / "var")  # nothing there yet, as on a fresh server
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    assert not (tmp_path / "var").exists()


def test_media_origins_join_the_content_security_policy():
    code = (
        "from django.conf import settings; d = settings.CONTENT_SECURITY_POLICY['DIRECTIVES']; "
        "print(d['img-src'], d['media-src'], d['script-src'])"
    )
    env = {"DJANGO_SECRET_KEY": KEY, "CSP_MEDIA_ORIGINS": "https://media.example.com, https://cdn.example.com"}
    done = run_python(code, env)
    assert done.returncode == 0, done.stderr
    media = "[\"'self'\", 'https://media.example.com', 'https://cdn.example.com']"
    assert done.stdout.strip() == f"{media} {media} [\"'self'\"]"


@pytest.mark.parametrize(
    ("storage", "origin"),
    [
        ({"STORAGE_S3_ENDPOINT_URL": "http://127.0.0.1:9000"}, "http://127.0.0.1:9000"),
        (
            {
                "STORAGE_S3_ENDPOINT_URL": "http://minio:9000",
                "STORAGE_S3_PUBLIC_ENDPOINT_URL": "https://s3.example.com",
            },
            "https://s3.example.com",
        ),
        (
            {"STORAGE_S3_ENDPOINT_URL": "https://r2.example.com", "STORAGE_S3_ADDRESSING_STYLE": "virtual"},
            "https://studio-media.r2.example.com",
        ),
        ({}, "https://*.amazonaws.com"),
    ],
)
def test_the_object_stores_origin_joins_the_content_security_policy(storage, origin):
    """Presigned URLs are served by the bucket's host: the browser may play them without an admin naming it."""
    code = "from django.conf import settings; d = settings.CONTENT_SECURITY_POLICY['DIRECTIVES']; print(d['media-src'])"
    done = run_python(code, {"DJANGO_SECRET_KEY": KEY, "STORAGE_S3_BUCKET": "studio-media", **storage})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"[\"'self'\", '{origin}']"
