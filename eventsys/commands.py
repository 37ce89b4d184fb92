"""`flask --app wsgi eventsys …` commands (CONTRACT.md)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from eventsys import database
from eventsys.auth.models import Role

eventsys_cli = AppGroup("eventsys", help="eventsys operations.")


@eventsys_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", default="")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=None)
def create_user(email, password, name, role):
    """Create a verified user (a participant when no role is given)."""
    from eventsys.auth import operations

    try:
        user = operations.create_user(
            email, password, name=name, role=Role(role or "participant"), verified=True
        )
    except operations.AccountError as exc:
        raise click.ClickException(f"a user with the address {email} exists already") from exc
    database.commit()
    click.echo(f"created {user.role.value} {user.email} (id {user.id})")


@eventsys_cli.command("create-token")
@click.option("--email", required=True)
@click.option("--label", default="cli")
def create_token(email, label):
    """Print a new API token for the user."""
    from eventsys.auth import operations

    user = operations.find_user(email)
    if user is None:
        raise click.ClickException(f"no user with the address {email}")
    token = operations.issue_api_token(user, label=label)
    database.commit()
    click.echo(token)


@eventsys_cli.command("demo")
@click.option("--force", is_flag=True, help="Load even if the database already has data.")
def demo(force):
    """Load a realistic demo: owners, users, events, registrations and the årshjul."""
    from eventsys import demo as demo_data

    if not force and demo_data.has_data():
        click.echo("the database has data already; demo not loaded (use --force)")
        return
    summary = demo_data.load()
    database.commit()
    for line in summary:
        click.echo(line)


@eventsys_cli.command("tick")
def tick():
    """All time-based work. Idempotent and safe on several hosts at once."""
    from eventsys import ticking

    for line in ticking.run():
        click.echo(line)


@eventsys_cli.command("worker")
@click.option("--once", is_flag=True, help="One pass over everything due, then exit.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds to wait when idle.")
def worker(once, poll):
    """Deliver e-mail from the outbox (and other after-commit work) until stopped.

    Run one or more beside the web server; several on several hosts are safe (rows are
    claimed). SIGTERM or SIGINT ends it after the current message."""
    from eventsys import working

    passes = working.Worker(poll_seconds=poll)
    passes.stop_on_signals()
    if once:
        click.echo(f"worker: {passes.drain()} item(s) done")
        return
    passes.run_forever()


@eventsys_cli.command("stripe-sync")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Import from this date (YYYY-MM-DD); default: a week before the last sync.",
)
def stripe_sync(since):
    """Import Stripe payouts and balance transactions (every page; safe to re-run; a
    run that stopped half way continues where it stopped)."""
    from eventsys.finance import stripe_import
    from eventsys.payments import gateway

    if not gateway.enabled():
        raise click.ClickException("STRIPE_SECRET_KEY is not set")
    start = since.date() if since else stripe_import.default_since()
    try:
        run = stripe_import.sync(start, checkpoint=database.commit)
    except gateway.GatewayError as exc:
        database.commit()  # keep the pages already imported; the next run continues
        raise click.ClickException(f"Stripe: {exc}") from exc
    database.commit()
    click.echo(f"imported {run.imported} balance transactions since {start or 'the start'}")


@eventsys_cli.command("ehf-export")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Invoices issued on or after this date (YYYY-MM-DD); default: 1 January this year.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, writable=True),
    required=True,
    help="Directory to write the EHF files and ehf-manifest.csv into.",
)
def ehf_export(since, out):
    """Write the EHF (PEPPOL BIS Billing 3.0) of every invoice and credit note with an
    organisation number, for upload to a PEPPOL access point; eventsys itself does not
    send through PEPPOL. Safe to re-run: the same file names are written again."""
    import csv
    from datetime import date
    from pathlib import Path

    from eventsys.finance import documents, operations

    start = since.date() if since else date(database.local_date().year, 1, 1)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    batch = operations.ehf_batch(start)
    with (folder / "ehf-manifest.csv").open("w", encoding="utf-8", newline="") as manifest:
        writer = csv.writer(manifest)
        writer.writerow(["file", "number", "kind", "issued_on", "buyer", "org_number",
                         "peppol_participant", "amount_ore", "currency"])  # fmt: skip
        for invoice, participant in batch:
            name = documents.filename(invoice, "xml")
            (folder / name).write_bytes(documents.ehf_xml(invoice))
            writer.writerow([name, invoice.number, invoice.kind.value,
                             invoice.issued_on.isoformat(), invoice.organisation_name,
                             invoice.org_number, participant, invoice.amount,
                             invoice.currency])  # fmt: skip
    click.echo(f"{len(batch)} EHF documents since {start} written to {folder}")


@eventsys_cli.command("invoice-owners")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
def invoice_owners(year):
    """The owners' yearly contribution invoices for YEAR (a second run makes none)."""
    from eventsys.finance import operations

    made = operations.invoice_owners(year)
    sending = operations.send_contribution_invoices(year)
    database.commit()
    for entry in made:
        click.echo(
            f"invoice {entry.invoice.number}: {entry.organisation.name}, {entry.band}, "
            f"{entry.amount / 100:.2f} NOK"
        )
    click.echo(f"{len(made)} contribution invoices made for {year}")
    for entry in sending.sent:
        click.echo(f"sent invoice {entry.invoice.number} to {entry.sent_to}")
    for entry in sending.unsendable:
        click.echo(
            f"cannot be sent: invoice {entry.invoice.number} to {entry.organisation.name} "
            f"(no invoice e-mail address; add it on the organisation's page and run again)"
        )
    click.echo(f"{len(sending.sent)} sent, {len(sending.unsendable)} cannot be sent")
