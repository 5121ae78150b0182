"""The report from the command line, on the Synthea sample: the busiest hospital's PDF shows
the appointment count and fee total that a direct SQL query over the same rows gives."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from hospital_desktop.core.bootstrap import open_services
from tests.conftest import synthea_dir
from tests.integration.test_cli import assert_one_line_failure, hospital_desktop

PASSWORD = "long enough secret"


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'sample.sqlite3'}"
    imported = hospital_desktop("--database", url, "import", "synthea", str(synthea_dir()))
    assert imported.returncode == 0, imported.stderr
    created = hospital_desktop(
        "--database",
        url,
        "create-admin",
        "--username",
        "boss",
        env={"HOSPITAL_DESKTOP_PASSWORD": PASSWORD},
    )
    assert created.returncode == 0, created.stderr
    return url


def busiest(url: str) -> tuple[int, str, str, datetime, datetime, int, int]:
    """Straight SQL: the hospital with most appointments, its zone, first and last visit,
    and over its appointments the count and the fees of the fulfilled ones."""
    services = open_services(url)
    try:
        with services.engine.connect() as connection:
            hospital_id, name, zone = connection.execute(
                text(
                    "SELECT h.id, h.name, h.time_zone FROM hospitals h JOIN appointments a "
                    "ON a.hospital_id = h.id GROUP BY h.id, h.name, h.time_zone "
                    "ORDER BY count(*) DESC, h.id LIMIT 1"
                )
            ).one()
            first, last, count, fees = connection.execute(
                text(
                    "SELECT min(start_at), max(start_at), count(*), "
                    "coalesce(sum(CASE WHEN status = 'fulfilled' THEN fee_cents END), 0) "
                    "FROM appointments WHERE hospital_id = :h AND status != 'entered-in-error' "
                    "AND id NOT IN (SELECT rescheduled_from_id FROM appointments "
                    "WHERE rescheduled_from_id IS NOT NULL)"
                ),
                {"h": hospital_id},
            ).one()
    finally:
        services.close()
    as_time = lambda v: datetime.fromisoformat(str(v)).replace(tzinfo=ZoneInfo("UTC"))  # noqa: E731
    return hospital_id, name, zone, as_time(first), as_time(last), int(count), int(fees)


def test_the_busiest_hospitals_report_matches_direct_sql(sample_url, tmp_path):
    hospital_id, name, zone, first, last, count, fees = busiest(sample_url)
    first_day = first.astimezone(ZoneInfo(zone)).date().isoformat()
    last_day = last.astimezone(ZoneInfo(zone)).date().isoformat()
    out = tmp_path / "busiest.pdf"
    result = hospital_desktop(
        "--database",
        sample_url,
        "--user",
        "boss",
        "report",
        "--hospital",
        name,
        "--from",
        first_day,
        "--to",
        last_day,
        "--out",
        str(out),
        env={"HOSPITAL_DESKTOP_PASSWORD": PASSWORD},
    )
    assert result.returncode == 0, result.stderr
    assert f"{count:,} appointments" in result.stdout
    assert f"fees billed {fees / 100:,.2f}" in result.stdout
    words = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert name in words
    assert f"{count:,}" in words
    assert f"{fees / 100:,.2f}" in words
    by_number = tmp_path / "by-number.pdf"
    again = hospital_desktop(
        "--database",
        sample_url,
        "--user",
        "boss",
        "report",
        "--hospital",
        str(hospital_id),
        "--from",
        first_day,
        "--to",
        last_day,
        "--out",
        str(by_number),
        env={"HOSPITAL_DESKTOP_PASSWORD": PASSWORD},
    )
    assert again.returncode == 0 and by_number.stat().st_size > 1000


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            ("--hospital", "No Such Hospital", "--from", "2020-01-01", "--to", "2020-12-31"),
            "No hospital is named",
        ),
        (("--hospital", "1", "--from", "2020-12-31", "--to", "2020-01-01"), "on or after"),
        (("--hospital", "1", "--from", "yesterday", "--to", "2020-01-01"), "From"),
    ],
)
def test_report_mistakes_are_told_in_one_line(sample_url, tmp_path, arguments, expected):
    result = hospital_desktop(
        "--database",
        sample_url,
        "--user",
        "boss",
        "report",
        *arguments,
        "--out",
        str(tmp_path / "x.pdf"),
        env={"HOSPITAL_DESKTOP_PASSWORD": PASSWORD},
    )
    assert expected in assert_one_line_failure(result)
    assert not (tmp_path / "x.pdf").exists()


def test_a_report_needs_the_user_and_a_writable_place(sample_url, tmp_path):
    anonymous = hospital_desktop(
        "--database",
        sample_url,
        "report",
        "--hospital",
        "1",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-31",
        "--out",
        str(tmp_path / "x.pdf"),
    )
    assert "--user NAME" in assert_one_line_failure(anonymous)
    nowhere = hospital_desktop(
        "--database",
        sample_url,
        "--user",
        "boss",
        "report",
        "--hospital",
        "1",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-31",
        "--out",
        "/nonexistent/folder/x.pdf",
        env={"HOSPITAL_DESKTOP_PASSWORD": PASSWORD},
    )
    assert "could not be written" in assert_one_line_failure(nowhere)


def test_a_number_that_names_no_hospital_says_so(sample_url, tmp_path):
    result = hospital_desktop(
        "--database",
        sample_url,
        "--user",
        "boss",
        "report",
        "--hospital",
        "99999",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-31",
        "--out",
        str(tmp_path / "x.pdf"),
        env={"HOSPITAL_DESKTOP_PASSWORD": PASSWORD},
    )
    assert "There is no hospital number 99999." in assert_one_line_failure(result)
