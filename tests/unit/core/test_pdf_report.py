"""The PDF report and the printable week: every name prints, fonts are embedded, nothing spills.

The PDFs are read back with pypdf (the text and the font dictionaries) and, where poppler is
installed, with pdftotext's word boxes (nothing crosses the margins) and pdftoppm (every page
renders without complaint).

What pypdf (7.x) returns for Arabic: the Arabic *presentation forms* the PDF draws (U+FE70-
U+FEFF, and U+FDF2 for the word Allah), already put back in logical order. NFKC turns them
into the letters typed, so the tests compare NFKC-normalised text; they accept the reversed
(visual) order too, which older pypdf versions return.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from hospital_desktop.core.domain.values import AppointmentStatus as S
from hospital_desktop.core.reports import fonts
from hospital_desktop.core.reports.figures import Figures, MonthCounts, Period, Statistics
from hospital_desktop.core.reports.pdf import (
    definitions,
    money,
    nice_scale,
    percent,
    render_hospital_report,
)
from hospital_desktop.core.reports.week_pdf import render_doctor_week
from hospital_desktop.core.scheduling.availability import (
    BusyInterval,
    DoctorCalendar,
    LocalRange,
    Policy,
    WeeklyRule,
)
from hospital_desktop.core.scheduling.week import CalendarAppointment, WeekLayout, build_week

LONG_NAME = (
    "Dr. Maximiliana Theodora Konstantinopoulou-Vanderbilt-Ramaswamy de la Cruz y "
    "Fernández-Øvergaard Lindqvist-Nakamura Oyelaran-Achterberg Wróblewska-Ó Súilleabháin "
    "Bartholomew-Castellanos Winterbottom Jr."
)
LONG_SERVICE = (
    "Extended multidisciplinary pre-operative assessment for complex orthopaedic revision "
    "surgery including anaesthetic review, physiotherapy baseline and social-care planning"
)
NAMES = [
    "Zoë Ångström-Núñez",
    "Δημήτρης Παπαδόπουλος",
    "Юлия Иванова",
    "محمد عبد الله",
    "王小明",
    "山田太郎",
    "김민준",
    LONG_NAME,
]
SERVICES = ["General consultation", LONG_SERVICE, "Ультразвук", "تحليل الدم", "血液検査"]
HOSPITAL = "Klinikum Süd — Αθήνα — 北京协和医院"
STANDARD_14 = {
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Symbol",
    "ZapfDingbats",
}


def row(label: str, i: int, doctor: bool = False) -> Figures:
    return Figures(
        label,
        doctor_id=i if doctor else None,
        appointments=40 + i,
        fulfilled=30 + i,
        no_shows=3,
        cancelled=7,
        late_cancellations=2,
        patients_served=25 + i,
        fees_billed_cents=1_234_567 * (i + 1),
        payer_coverage_cents=1_000_000 * (i + 1),
        patient_share_cents=234_567 * (i + 1),
        booked_minutes=900 + i,
        timetable_minutes=1200 if doctor else None,
        ratings=10 + i,
        average_satisfaction=4.25 if i % 2 else None,
    )


def full_statistics() -> Statistics:
    # Deliberately not the sum of the rows: the PDF must print stats.total, not re-add.
    total = Figures(
        "Total",
        appointments=999,
        fulfilled=800,
        no_shows=50,
        cancelled=149,
        late_cancellations=20,
        patients_served=600,
        fees_billed_cents=98_765_432,
        payer_coverage_cents=80_000_000,
        patient_share_cents=18_765_432,
        booked_minutes=50_000,
        timetable_minutes=60_000,
        ratings=321,
        average_satisfaction=4.37,
    )
    months = [
        MonthCounts(
            f"2026-{m:02d}",
            {S.FULFILLED: 60 + 5 * m, S.CANCELLED: 10 + m, S.NOSHOW: 4 + m % 3, S.BOOKED: 2 * m},
        )
        for m in range(1, 13)
    ]
    return Statistics(
        subject=HOSPITAL,
        hospital_id=1,
        hospital_name=HOSPITAL,
        time_zone="Europe/Berlin",
        period=Period(date(2026, 1, 1), date(2026, 12, 31)),
        generated_at=datetime(2027, 1, 2, 8, 5, tzinfo=UTC),
        generated_by="محمد عبد الله",
        total=total,
        by_status={S.FULFILLED: 800, S.CANCELLED: 149, S.NOSHOW: 50, S.BOOKED: 12},
        new_patients=123,
        by_service=[row(s, i) for i, s in enumerate(SERVICES)],
        by_doctor=[row(n, i, doctor=True) for i, n in enumerate(NAMES)],
        by_month=months,
        by_weekday=[120, 180, 150, 160, 140, 30, 0],
        by_hour=[0] * 8 + [50, 90, 80, 70, 20, 60, 75, 65, 40] + [0] * 7,
    )


def empty_statistics() -> Statistics:
    return Statistics(
        subject="St. Mary's",
        hospital_id=2,
        hospital_name="St. Mary's",
        time_zone="America/New_York",
        period=Period(date(2026, 2, 1), date(2026, 2, 28)),
        generated_at=datetime(2026, 3, 1, 15, 0, tzinfo=UTC),
        generated_by="Юлия Иванова",
    )


def week_layout(many: bool = False) -> WeekLayout:
    """A London week with the October clock change on Sunday, a closure and an absence."""
    zone = ZoneInfo("Europe/London")
    monday = date(2026, 10, 19)
    rules = tuple(WeeklyRule(d + 1, d, time(9), time(17), 30) for d in range(5))
    rules += (WeeklyRule(10, 5, time(9), time(12), 30),)
    reasons = ["Follow-up", "Консультация", "فحص دوري", "初诊", "Annual check-up"]
    statuses = [S.BOOKED, S.FULFILLED, S.CANCELLED, S.NOSHOW, S.CHECKED_IN]
    appointments = []
    number = 0
    for offset in range(6):
        day = monday + timedelta(days=offset)
        for k in range(14 if many and offset == 1 else 3 + offset % 3):
            number += 1
            local = datetime.combine(day, time(9), tzinfo=zone) + timedelta(minutes=30 * k)
            start = local.astimezone(UTC)
            appointments.append(
                CalendarAppointment(
                    number,
                    start,
                    start + timedelta(minutes=30),
                    statuses[number % 5],
                    NAMES[number % len(NAMES)],
                    reasons[number % 5],
                )
            )
    busy = tuple(BusyInterval(a.start, a.end, 0, a.id) for a in appointments if a.status.is_active)
    closed = {monday + timedelta(days=3): "Staff training — Schulung"}
    friday = monday + timedelta(days=4)
    calendar = DoctorCalendar(
        "Europe/London",
        rules,
        closed_days=frozenset(closed),
        absences=(
            LocalRange(
                datetime.combine(friday, time(14)), datetime.combine(friday, time(16)), "Congress"
            ),
        ),
        busy=busy,
        policy=Policy(min_notice=timedelta(0), horizon=timedelta(days=3650)),
    )
    return build_week(calendar, appointments, monday, datetime(2026, 10, 19, 7, tzinfo=UTC), closed)


@pytest.fixture(scope="module")
def full_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    render_hospital_report(full_statistics(), path)
    return path


@pytest.fixture(scope="module")
def empty_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "empty.pdf"
    render_hospital_report(empty_statistics(), path)
    return path


@pytest.fixture(scope="module")
def week_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("week") / "week.pdf"
    render_doctor_week(
        week_layout(many=True),
        path,
        doctor_name="Dr. 山田太郎 (Yamada Tarō)",
        hospital_name=HOSPITAL,
        generated_by="Δημήτρης Παπαδόπουλος",
        generated_at=datetime(2026, 10, 18, 12, 0, tzinfo=UTC),
    )
    return path


def text_of(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def squeeze(text: str) -> str:
    """NFKC and no whitespace: a name wrapped over lines or cells still compares equal."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def prints(name: str, text: str) -> bool:
    flat, wanted = squeeze(text), squeeze(name)
    return wanted in flat or wanted[::-1] in flat


def fonts_of(path: Path) -> list[DictionaryObject]:
    """Every font dictionary used by the pages, and by their form XObjects."""
    found: dict[int, DictionaryObject] = {}

    def walk(resources: DictionaryObject | None) -> None:
        if resources is None:
            return
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            found[id(font)] = font
        for ref in (resources.get("/XObject") or {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    for page in PdfReader(path).pages:
        walk(page.get("/Resources"))
    return list(found.values())


# --- the report ------------------------------------------------------------------------------


def test_every_name_prints_in_the_report(full_pdf: Path) -> None:
    text = text_of(full_pdf)
    for name in [*NAMES, *SERVICES, HOSPITAL]:
        assert prints(name, text), name


def test_arabic_comes_back_as_presentation_forms_that_normalise_to_the_name(
    full_pdf: Path,
) -> None:
    text = text_of(full_pdf)
    assert "محمد عبد الله" not in text  # not the letters typed: the shaped forms drawn
    shaped = [line for line in text.splitlines() if "\ufdf2" in line]  # the Allah ligature
    assert shaped
    assert any(prints("محمد عبد الله", line) for line in shaped)


def test_every_font_is_embedded_and_none_is_a_standard_14_font(full_pdf: Path) -> None:
    used = fonts_of(full_pdf)
    assert len(used) >= 4  # regular, bold, Arabic, CJK at least
    for font in used:
        base = str(font["/BaseFont"]).lstrip("/")
        assert base.split("+")[-1] not in STANDARD_14, base
        assert font["/Subtype"] == "/TrueType", base
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, base


def test_the_figures_are_formatted_and_totals_come_from_stats_total(full_pdf: Path) -> None:
    text = text_of(full_pdf)
    assert "987,654.32" in text  # stats.total, not the sum of the rows
    assert "5.9%" in text  # no-show rate 50 / 850
    assert "of appointments due: fulfilled + no-shows (850)" in text
    assert "14.9%" in text  # cancellation rate 149 / 999
    assert "83.3%" in text  # utilisation 50,000 / 60,000
    assert prints("Tuesday (180), Thursday (160), Wednesday (150)", text)  # may wrap
    assert "amounts are in the hospital's currency" in text.lower()
    assert "How the figures are counted" in text


def test_pages_are_numbered_with_the_total(full_pdf: Path) -> None:
    reader = PdfReader(full_pdf)
    total = len(reader.pages)
    assert 3 <= total <= 10
    for number, page in enumerate(reader.pages, start=1):
        assert f"Page {number} of {total}" in page.extract_text()
    assert "Hospital report" in reader.pages[0].extract_text()
    assert prints(f"Generated 2027-01-02 09:05 CET by {'محمد عبد الله'}", text_of(full_pdf))


def test_an_empty_period_renders_a_sensible_report(empty_pdf: Path) -> None:
    reader = PdfReader(empty_pdf)
    text = text_of(empty_pdf)
    assert 2 <= len(reader.pages) <= 4
    assert "No appointments in this period" in text
    assert "—" in text  # the rates that cannot be computed
    assert f"Page 1 of {len(reader.pages)}" in reader.pages[0].extract_text()
    for font in fonts_of(empty_pdf):
        assert "/FontFile2" in font["/FontDescriptor"].get_object()


def test_the_report_can_be_written_to_a_file_object() -> None:
    out = io.BytesIO()
    render_hospital_report(empty_statistics(), out)
    assert out.getvalue().startswith(b"%PDF-")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("which", ["full_pdf", "empty_pdf", "week_pdf"])
def test_no_word_crosses_the_margins(which: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(which)
    done = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True
    )
    tree = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", done.stdout))
    namespace = {"x": "http://www.w3.org/1999/xhtml"}
    pages = tree.findall(".//x:page", namespace)
    assert pages
    for page in pages:
        width = float(page.get("width", "0"))
        for word in page.findall("x:word", namespace):
            left, right = float(word.get("xMin", "0")), float(word.get("xMax", "0"))
            assert left >= 30 and right <= width - 30, (word.text, left, right, width)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("which", ["full_pdf", "empty_pdf", "week_pdf"])
def test_every_page_renders_without_complaint(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    path: Path = request.getfixturevalue(which)
    done = subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "page")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    assert len(list(tmp_path.glob("page-*.png"))) == len(PdfReader(path).pages)


# --- the doctor's week -----------------------------------------------------------------------


def test_the_week_is_landscape_with_every_name_and_embedded_fonts(week_pdf: Path) -> None:
    reader = PdfReader(week_pdf)
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    text = text_of(week_pdf)
    for name in [*NAMES, "Dr. 山田太郎 (Yamada Tarō)", "Консультация", "فحص دوري", "初诊"]:
        assert prints(name, text), name
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        assert day in text
    for line in (  # the day's summary, which may wrap in its narrow column
        "Closed: Staff training — Schulung",
        "Hours: 09:00–17:00",
        "Away: 14:00–16:00 Congress",
        "Clocks change: a 25-hour day",
    ):
        assert prints(line, text), line
    assert f"Page 1 of {len(reader.pages)}" in text
    assert "Generated 2026-10-18 13:00 BST" in text
    for font in fonts_of(week_pdf):
        assert str(font["/BaseFont"]).split("+")[-1] not in STANDARD_14
        assert "/FontFile2" in font["/FontDescriptor"].get_object()


def test_a_long_day_runs_onto_the_next_page(week_pdf: Path) -> None:
    reader = PdfReader(week_pdf)
    assert len(reader.pages) >= 2
    assert "Monday" in reader.pages[1].extract_text()  # the day headings repeat


def test_an_empty_week_renders(tmp_path: Path) -> None:
    calendar = DoctorCalendar("Asia/Tokyo", ())
    layout = build_week(calendar, [], date(2026, 3, 2), datetime(2026, 3, 1, tzinfo=UTC))
    path = tmp_path / "week.pdf"
    render_doctor_week(
        layout,
        path,
        doctor_name="김민준",
        hospital_name="東京病院",
        generated_by="山田太郎",
        generated_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    text = text_of(path)
    assert "No timetabled hours" in text and "No appointments" in text
    assert prints("김민준", text) and prints("東京病院", text)


# --- the pieces ------------------------------------------------------------------------------


def test_money_is_cents_with_thousands_separators() -> None:
    assert money(0) == "0.00"
    assert money(5) == "0.05"
    assert money(123_456_789) == "1,234,567.89"
    assert money(-1050) == "-10.50"


def test_rates_are_percentages_with_one_decimal_and_none_is_a_dash() -> None:
    assert percent(None) == "—"
    assert percent(0.0594) == "5.9%"
    assert percent(1.25) == "125.0%"


def test_chart_scales_use_whole_steps() -> None:
    assert nice_scale(1) == (1, 1)
    assert nice_scale(7) == (2, 8)
    assert nice_scale(149) == (50, 150)


def test_definitions_come_from_the_figures_module() -> None:
    items = definitions()
    assert any(item.startswith("No-show rate: no-shows / (fulfilled + no-shows)") for item in items)
    assert all("``" not in item for item in items)


def test_text_is_split_into_runs_by_the_face_that_has_the_glyphs() -> None:
    runs = fonts.split_runs("Dr. 王小明")
    assert [(face, text) for face, text in runs] == [
        (fonts.SANS, "Dr. "),
        (fonts.CJK_SC, "王小明"),
    ]
    assert fonts.split_runs("山田 やまだ")[0][0] is fonts.CJK_JP  # kana: Japanese forms
    assert fonts.split_runs("김민준")[0][0] is fonts.CJK_KR
    assert [face for face, _ in fonts.split_runs(fonts.visual_line("محمد عبد الله"))] == [
        fonts.ARABIC
    ]
    assert fonts.split_runs(fonts.visual_line("דוד כהן")) == [(fonts.HEBREW, "ןהכ דוד")]
    assert fonts.split_runs("Zoë Ångström-Núñez Δημήτρης Юлия") == [
        (fonts.SANS, "Zoë Ångström-Núñez Δημήτρης Юлия")
    ]


def test_arabic_is_shaped_and_put_in_visual_order() -> None:
    visual = fonts.visual_line("محمد")
    assert visual == "\ufee3\ufea4\ufee4\ufeaa"[::-1]  # initial, medial, medial, final
    assert unicodedata.normalize("NFKC", visual[::-1]) == "محمد"
    assert fonts.visual_line("Zoë") == "Zoë"  # left-to-right text is left alone


def test_subsets_are_static_truetype_named_by_their_content() -> None:
    name, data = fonts.subset_font(fonts.CJK_KR, fonts.REGULAR, frozenset("김민준 "))
    again, _ = fonts.subset_font(fonts.CJK_KR, fonts.REGULAR, frozenset("김민준 "))
    other, _ = fonts.subset_font(fonts.CJK_KR, fonts.REGULAR, frozenset("김민 "))
    assert name == again != other
    assert data[:4] == b"\x00\x01\x00\x00"  # TrueType outlines, not CFF
    bold, _ = fonts.subset_font(fonts.SANS, fonts.BOLD, frozenset("Ab"))
    assert "-Bold-" in bold


def test_the_font_licences_ship_with_the_packages() -> None:
    licences = fonts.licence_files()
    assert len(licences) >= 3
    assert all("Open Font License" in p.read_text(encoding="utf-8") for p in licences)
