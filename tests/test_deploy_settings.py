"""Production settings: `check --deploy` is clean with production values, and every setting is documented."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "itsm" / "settings.py"
ENV_EXAMPLE = ROOT / ".env.example"
ENV_READ = re.compile(r"""\benv_(?:str|bool|int|list)\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def variables_read_by_settings() -> set[str]:
    return set(ENV_READ.findall(SETTINGS.read_text()))


def variables_in_env_example() -> set[str]:
    # Lines like `NAME=value` or, for optional ones, `# NAME=default`.
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))


def manage(tmp_path: Path, *args: str, **environment: str) -> subprocess.CompletedProcess:
    """`manage.py ARGS` in a fresh process whose environment holds only `environment`.

    Nothing else of this process's environment is passed on: test fixtures set variables
    (DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests, say) that a deployment never has.
    """
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(ITSM_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="itsm.settings", **environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def check_deploy(tmp_path: Path, **production: str) -> subprocess.CompletedProcess:
    return manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production)


def test_settings_find_their_variables():
    # given the pattern this module uses to find the variables settings read
    # then it finds the obvious ones, so an empty result cannot pass the tests below
    expected = {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"}
    assert expected <= variables_read_by_settings()


def test_every_variable_settings_read_is_in_env_example():
    missing = variables_read_by_settings() - variables_in_env_example()
    assert not missing, f".env.example does not list: {', '.join(sorted(missing))}"


def test_check_deploy_is_clean_with_production_values(tmp_path):
    # given the values the README's production section asks for
    production = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "itsm.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://itsm.example.org",
        "SITE_URL": "https://itsm.example.org",
        "SECURE_HSTS_PRELOAD": "true",
    }

    # when
    result = check_deploy(tmp_path, **production)

    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_check_deploy_warns_without_a_secret_key(tmp_path):
    # given the defaults: no SECRET_KEY, so the insecure development fallback is used
    # when
    result = check_deploy(tmp_path, DEBUG="false")

    # then
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_collectstatic_with_the_manifest_succeeds(tmp_path):
    # given the Docker image's build step (docker cannot run in CI): hashed, compressed files,
    # which fails on a stylesheet that points at a file that does not exist
    static_root = tmp_path / "static"

    # when
    result = manage(
        tmp_path, "collectstatic", "--noinput", STATIC_MANIFEST="true", STATIC_ROOT=str(static_root)
    )

    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert (static_root / "staticfiles.json").exists()
