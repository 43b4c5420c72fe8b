"""The README's configuration table names every variable the settings read."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_documents_every_environment_variable():
    settings_text = "".join(path.read_text() for path in (ROOT / "config").glob("settings.py"))
    variables = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', settings_text))
    assert "SECRET_KEY" in variables
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in variables if f"| `{name}` |" not in readme)
    assert not missing, f"README.md's configuration table lacks: {missing}"


def test_readme_names_the_two_commands_and_the_hooks():
    readme = (ROOT / "README.md").read_text()
    for text in ("make run", "make test", "make bench", "make worker", "make beat", "personal_data.py"):
        assert text in readme
    for hook in ("devtools/seed/<app>.py", "devtools/bench/<app>.py", "<app>/digest.py", "<app>/search.py"):
        assert hook in readme


def test_readme_states_the_layers_the_import_contract_enforces():
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    assert contract["type"] == "layers"
    assert " → ".join(contract["layers"]) in (ROOT / "README.md").read_text()


def test_make_run_gives_the_demo_the_address_it_serves_on():
    """``PORT=8123 make run`` serves on 8123, so the links in its emails, calendar files and
    exports must say 8123 too (before, SITE_URL stayed on 8000 and every emailed link was dead);
    an explicit SITE_URL still wins."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    lines = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    commands = [
        line for line in lines if "manage.py" in line and "compilemessages" not in line and "collectstatic" not in line
    ]
    assert any("runserver 127.0.0.1:8123" in line for line in commands)
    for line in commands:
        assignment = re.search(r"SITE_URL=(\S+)", line)
        assert assignment, line
        for site_url, expected in (
            (None, "http://127.0.0.1:8123"),
            ("https://lab.example.org", "https://lab.example.org"),
        ):
            shell_env = {**env, **({"SITE_URL": site_url} if site_url else {})}
            value = subprocess.run(
                ["bash", "-c", f"echo {assignment.group(1)}"], env=shell_env, capture_output=True, text=True, check=True
            ).stdout.strip()
            assert value == expected, line
