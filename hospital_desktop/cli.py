"""Command line: the GUI by default, and subcommands for imports, summaries and the database.

Options that apply to every command come before it:
``hospital-desktop --database URL import synthea DIR``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import socket
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from sqlalchemy.exc import ArgumentError

from hospital_desktop import APP_NAME, __version__
from hospital_desktop.config import choose_database, security_from_settings
from hospital_desktop.core.bootstrap import AppServices, open_services
from hospital_desktop.core.db.engine import describe
from hospital_desktop.core.domain.errors import DomainError, ValidationError
from hospital_desktop.core.domain.security import Actor

PASSWORD_ENV = "HOSPITAL_DESKTOP_PASSWORD"
WORKSTATION = f"{socket.gethostname()} (command line)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hospital-desktop",
        description=f"{APP_NAME}: patients, doctors and appointments at the front desk. "
        "Without a command, opens the application window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="database to use, e.g. sqlite:///path/file.sqlite3 or "
        "postgresql+psycopg://user@host/db (default: $HOSPITAL_DESKTOP_DATABASE_URL, "
        "then the saved setting, then a file in your data folder)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="log in as NAME (needed once the database has users); the password comes from "
        f"${PASSWORD_ENV} or a prompt",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    admin = commands.add_parser(
        "create-admin", help="create the first administrator of a database with no users"
    )
    admin.add_argument("--username", required=True)
    admin.add_argument("--full-name", default="", help="defaults to the user name")

    commands.add_parser("gui", help="open the application window (the default)")

    importing = commands.add_parser("import", help="import records from another system")
    sources = importing.add_subparsers(dest="source", metavar="SOURCE", required=True)
    synthea = sources.add_parser("synthea", help="a Synthea CSV export folder")
    synthea.add_argument("directory", type=Path, metavar="DIR")
    synthea.add_argument(
        "--time-zone",
        default="UTC",
        help="zone for hospitals outside the US states Synthea knows (default: UTC)",
    )

    summary = commands.add_parser("summary", help="count the records in the database")
    summary.add_argument("--json", action="store_true", help="print one JSON object")

    report = commands.add_parser(
        "report", help="a hospital's (or a doctor's) report for a period, as a PDF"
    )
    subject = report.add_mutually_exclusive_group(required=True)
    subject.add_argument("--hospital", metavar="ID-OR-EXACT-NAME")
    subject.add_argument("--doctor", metavar="ID-OR-EXACT-NAME")
    report.add_argument("--from", dest="first", required=True, metavar="DATE", help="YYYY-MM-DD")
    report.add_argument(
        "--to", dest="last", required=True, metavar="DATE", help="YYYY-MM-DD, included"
    )
    report.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")

    database = commands.add_parser("db", help="database maintenance")
    actions = database.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("upgrade", help="bring the schema to the newest version")
    actions.add_parser("where", help="print which database is used and why")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if arguments.database is not None and not arguments.database.strip():
        parser.error("--database needs a database address (URL); it was given empty")
    choice = choose_database(arguments.database)
    if arguments.command in (None, "gui"):
        # Imported here, not at the top: commands run without loading Qt at all.
        from hospital_desktop.gui.launch import launch

        return launch(choice)
    try:
        return _run_command(arguments, choice.url, choice.source)
    except ValidationError as error:  # a line, as for every other mistake
        print(f"hospital-desktop: {' '.join(error.field_errors.values())}", file=sys.stderr)
        return 1
    except DomainError as error:
        print(f"hospital-desktop: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "hospital-desktop: interrupted; nothing of the unfinished work was saved.",
            file=sys.stderr,
        )
        return 130


def _run_command(arguments: argparse.Namespace, url: str, source: str) -> int:
    if arguments.command == "db" and arguments.action == "where":
        try:
            shown = describe(url)
        except (ArgumentError, ValueError):
            raise DomainError(
                f"'{url}' (from {source}) is not a database address this application understands."
            ) from None
        print(f"{shown}  (from {source})")
        return 0
    services = open_services(url, security=security_from_settings())
    try:
        return _dispatch(arguments, services)
    finally:
        services.close()


def _log_in(arguments: argparse.Namespace, services: AppServices) -> Actor | None:
    """Once the database has users, every command that touches records needs one of them."""
    if not services.accounts.has_users():
        if arguments.user:
            raise DomainError("This database has no users yet; create one with create-admin.")
        return None
    if not arguments.user:
        raise DomainError(
            "This database has users: give --user NAME before the command "
            f"(the password comes from ${PASSWORD_ENV} or a prompt)."
        )
    user = services.accounts.login(
        arguments.user, _password(f"Password for {arguments.user}: "), WORKSTATION
    )
    if user.must_change_password:
        raise DomainError(
            "This account must change its initial password first; log in once in the window."
        )
    return Actor(user.id, user.username, WORKSTATION)


def _password(prompt: str, *, confirm: bool = False) -> str:
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise DomainError(f"No password: set ${PASSWORD_ENV} or run the command in a terminal.")
    try:
        password = getpass.getpass(prompt)
        again = getpass.getpass("Again: ") if confirm else password
    except EOFError:  # Ctrl+D at the prompt
        raise DomainError("No password was given; nothing was done.") from None
    if again != password:
        raise DomainError("The two passwords differ; nothing was changed.")
    return password


def _dispatch(arguments: argparse.Namespace, services: AppServices) -> int:
    if arguments.command == "create-admin":
        if services.accounts.has_users():  # say so before asking for a password
            raise DomainError(
                "This database already has users; an administrator must add new ones."
            )
        password = _password(f"Password for {arguments.username}: ", confirm=True)
        admin = services.accounts.create_first_admin(
            arguments.username, arguments.full_name or arguments.username, password, WORKSTATION
        )
        print(f"Created the administrator {admin.username}.")
        return 0
    if arguments.command != "db":
        services = services.for_actor(_log_in(arguments, services))
    if arguments.command == "db":
        print(f"The database at {describe(services.url)} is up to date.")
        if services.backup_path:
            print(f"A copy from before the upgrade was kept at {services.backup_path}.")
        return 0
    if arguments.command == "summary":
        counts = asdict(services.summary())
        if arguments.json:
            print(json.dumps(counts))
        else:
            for name, count in counts.items():
                print(f"{name.capitalize():<14}{count:>10,}")
        return 0
    if arguments.command == "import":
        importer = services.importer(fallback_time_zone=arguments.time_zone)
        progress = _TerminalProgress() if sys.stderr.isatty() else None
        report = importer.run(arguments.directory, progress=progress)
        if progress:
            progress.finish()
        print(report.describe())
        return 0
    if arguments.command == "report":
        return _report(arguments, services)
    raise AssertionError(f"unhandled command {arguments.command}")


def _report(arguments: argparse.Namespace, services: AppServices) -> int:
    # Imported here: ReportLab and the fonts load only for the command that needs them.
    from hospital_desktop.core.reports.pdf import render_hospital_report

    if arguments.hospital is not None:
        hospital_id = services.hospitals.resolve(arguments.hospital)
        stats = services.reports.hospital_statistics(hospital_id, arguments.first, arguments.last)
    else:
        doctor_id = services.doctors.resolve(arguments.doctor)
        stats = services.reports.doctor_metrics(doctor_id, arguments.first, arguments.last)
    out: Path = arguments.out
    if out.suffix.lower() != ".pdf":
        raise DomainError(f"{out} does not end in .pdf; give the report a .pdf name.")
    services.reports.export_pdf(stats, out, render_hospital_report)
    total = stats.total
    print(
        f"Wrote {out}: {stats.subject}, {stats.period.describe()}: "
        f"{total.appointments:,} appointments, fees billed {total.fees_billed_cents / 100:,.2f}."
    )
    return 0


class _TerminalProgress:
    def __call__(self, kind: str, done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        print(f"\rImporting {kind}… {percent}%", end="", file=sys.stderr, flush=True)

    def finish(self) -> None:
        print(file=sys.stderr)
