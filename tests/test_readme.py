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
