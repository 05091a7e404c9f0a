"""The `dev` script: the logins it prints are the demo data's, and `./dev run` runs and stops cleanly."""

import importlib.util
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from importlib.machinery import SourceFileLoader
from pathlib import Path

import pytest

from itsm.core.demo import DEMO_PASSWORD, PEOPLE

ROOT = Path(__file__).resolve().parent.parent


def load_dev_script():
    """Import the extension-less `dev` script as a module (its main() does not run)."""
    loader = SourceFileLoader("dev_script", str(ROOT / "dev"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # dataclasses look their module up there
    loader.exec_module(module)
    return module


dev = load_dev_script()

#: Ports this test may serve on (the range the project's servers use on shared machines).
PORTS = range(8001, 8021)
START_TIMEOUT_SECONDS = 90


def test_printed_logins_are_the_demo_users():
    sign_in_users = [person.username for person in PEOPLE[: len(dev.DEMO_LOGINS)]]
    assert [username for username, _ in dev.DEMO_LOGINS] == sign_in_users
    assert dev.DEMO_PASSWORD == DEMO_PASSWORD


def test_readme_lists_the_same_logins():
    readme = (ROOT / "README.md").read_text()
    for username, _ in dev.DEMO_LOGINS:
        assert f"| `{username}` |" in readme
    assert f"password '{dev.DEMO_PASSWORD}'" in readme
    assert dev.banner(8000).strip().splitlines()[0] in readme


def free_port() -> int:
    for port in PORTS:
        if dev.port_is_free(port):
            return port
    pytest.skip(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def is_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def get_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except OSError:
        return None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_dev_run_serves_the_site_and_ctrl_c_stops_all_three(tmp_path):
    if not dev.install_is_current():
        pytest.skip("the virtualenv is not installed from this pyproject.toml: run ./dev setup first")
    # given `./dev run` on a new SQLite database and broker folder, as a new user would start it
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG"}
    }
    env.update(PORT=str(port), ITSM_VAR_DIR=str(tmp_path / "var"), NO_COLOR="1")
    log = tmp_path / "dev.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "dev"), "run"], cwd=ROOT, env=env, stdout=output, stderr=output
        )
    try:
        # when it has started
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while "ITSM is running at" not in log.read_text() and process.poll() is None:
            assert time.monotonic() < deadline, log.read_text()[-4000:]
            time.sleep(0.25)

        # then the sign-in page is served and web, worker and beat are running
        assert get_status(f"http://127.0.0.1:{port}/accounts/login/") == 200, log.read_text()[-4000:]
        output = log.read_text()
        for name in ("web", "worker", "beat"):
            assert re.search(rf"^{name} +\| ", output, flags=re.MULTILINE), output[-4000:]
        assert "celery@" in output and "beat: Starting" in output
        children = descendants(process.pid)
        assert len(children) >= 3

        # when Ctrl-C reaches the script
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=dev.STOP_GRACE_SECONDS + 15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    # then it exits cleanly and leaves no process behind
    assert code == 0, log.read_text()[-4000:]
    time.sleep(0.5)
    assert not [pid for pid in children if is_alive(pid)]
    assert dev.port_is_free(port)
