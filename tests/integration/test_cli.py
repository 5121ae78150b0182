"""The command line as a person runs it: ``python -m hospital_desktop ...`` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hospital_desktop.config import DATABASE_ENV, default_database_url, save_database_url
from tests.conftest import REPO_ROOT, SYNTHEA_TRIMMED

UNREACHABLE_POSTGRES = "postgresql+psycopg://nobody@127.0.0.1:5999/x"


def hospital_desktop(
    *arguments: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hospital_desktop", *arguments],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def assert_one_line_failure(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hospital-desktop: ")
    return lines[0]


def test_import_then_summary_as_json(sqlite_url: str) -> None:
    imported = hospital_desktop("--database", sqlite_url, "import", "synthea", str(SYNTHEA_TRIMMED))
    assert imported.returncode == 0, imported.stderr
    assert "Traceback" not in imported.stderr
    assert imported.stdout.startswith("Imported ")
    assert "24 hospitals" in imported.stdout and "335 appointments" in imported.stdout

    summary = hospital_desktop("--database", sqlite_url, "summary", "--json")
    assert summary.returncode == 0, summary.stderr
    counts = json.loads(summary.stdout)
    assert counts == {"hospitals": 24, "doctors": 24, "patients": 8, "appointments": 335}
    assert list(counts) == ["hospitals", "doctors", "patients", "appointments"]


def test_missing_import_folder(sqlite_url: str, tmp_path: Path) -> None:
    result = hospital_desktop("--database", sqlite_url, "import", "synthea", str(tmp_path / "no"))
    assert "is not a folder" in assert_one_line_failure(result)


def test_malformed_export_fails_with_file_and_line(sqlite_url: str, tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    for csv_file in SYNTHEA_TRIMMED.iterdir():
        (export / csv_file.name).write_bytes(csv_file.read_bytes())
    patients = export / "patients.csv"
    patients.write_bytes(patients.read_bytes().replace(b",1999-11-27,", b",1999-11-31,"))
    result = hospital_desktop("--database", sqlite_url, "import", "synthea", str(export))
    message = assert_one_line_failure(result)
    assert "patients.csv, line" in message and "Nothing was imported" in message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (UNREACHABLE_POSTGRES, "Could not open the database at"),
        ("nonsense", "is not a database address"),
    ],
)
def test_a_database_that_cannot_be_opened(url: str, expected: str) -> None:
    result = hospital_desktop("--database", url, "summary", "--json")
    assert expected in assert_one_line_failure(result)
    assert result.stdout == ""


def test_db_where_tells_the_source(sqlite_url: str, tmp_path: Path) -> None:
    from_flag = hospital_desktop("--database", sqlite_url, "db", "where")
    assert from_flag.returncode == 0
    assert from_flag.stdout.strip() == f"{sqlite_url}  (from command line)"

    env_url = f"sqlite:///{tmp_path / 'env.sqlite3'}"
    from_env = hospital_desktop("db", "where", env={DATABASE_ENV: env_url})
    assert from_env.stdout.strip() == f"{env_url}  (from environment)"
    default = hospital_desktop("db", "where")
    assert default.stdout.strip() == f"{default_database_url()}  (from default)"

    saved_url = f"sqlite:///{tmp_path / 'saved.sqlite3'}"
    save_database_url(saved_url)  # the subprocess shares this test's isolated XDG folders
    assert hospital_desktop("db", "where").stdout.strip() == f"{saved_url}  (from settings)"


def test_db_where_hides_the_password_and_refuses_nonsense() -> None:
    shown = hospital_desktop(
        "--database", "postgresql+psycopg://clerk:s3cret@db.local/h", "db", "where"
    )
    assert shown.returncode == 0
    assert "s3cret" not in shown.stdout
    assert shown.stdout.strip() == "postgresql+psycopg://clerk:***@db.local/h  (from command line)"

    nonsense = hospital_desktop("--database", "nonsense", "db", "where")
    assert "is not a database address" in assert_one_line_failure(nonsense)


def test_db_upgrade_on_a_new_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'hospital.sqlite3'}"
    result = hospital_desktop("--database", url, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"The database at {url} is up to date."
    assert (tmp_path / "new" / "hospital.sqlite3").is_file()


def test_an_empty_database_option_is_refused() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "hospital_desktop", "--database", "", "summary"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--database needs a database address" in result.stderr
    assert "Traceback" not in result.stderr


def test_create_admin_then_commands_need_the_user(tmp_path) -> None:
    import os
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    env = {**os.environ, "HOSPITAL_DESKTOP_PASSWORD": "long enough secret"}

    def run(*arguments: str, password: str | None = "long enough secret"):
        environment = dict(env)
        if password is None:
            environment.pop("HOSPITAL_DESKTOP_PASSWORD")
        else:
            environment["HOSPITAL_DESKTOP_PASSWORD"] = password
        return subprocess.run(
            [sys.executable, "-m", "hospital_desktop", "--database", url, *arguments],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
            env=environment,
        )

    created = run("create-admin", "--username", "Boss")
    assert created.returncode == 0, created.stderr
    assert run("create-admin", "--username", "other").returncode == 1
    anonymous = run("summary", "--json")
    assert anonymous.returncode == 1 and "--user NAME" in anonymous.stderr
    assert run("--user", "boss", "summary", "--json").returncode == 0
    wrong = run("--user", "boss", "summary", password="not the password")
    assert wrong.returncode == 1 and "wrong" in wrong.stderr and "Traceback" not in wrong.stderr
    no_password = run("--user", "boss", "summary", password=None)
    assert no_password.returncode == 1 and "HOSPITAL_DESKTOP_PASSWORD" in no_password.stderr


def test_create_admin_says_the_database_has_users_before_asking_a_password(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'two.sqlite3'}"
    first = hospital_desktop(
        "--database",
        url,
        "create-admin",
        "--username",
        "boss",
        env={"HOSPITAL_DESKTOP_PASSWORD": "long enough secret"},
    )
    assert first.returncode == 0, first.stderr
    environment = {k: v for k, v in os.environ.items() if k != "HOSPITAL_DESKTOP_PASSWORD"}
    second = subprocess.run(
        [
            sys.executable,
            "-m",
            "hospital_desktop",
            "--database",
            url,
            "create-admin",
            "--username",
            "other",
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert "already has users" in assert_one_line_failure(second)
