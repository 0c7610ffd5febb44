"""Command line for residents: `anonymize --campaign ID` (retention after the report due date)."""
from datetime import datetime

import click

from ..extensions import db


def register(app):
    @app.cli.command("anonymize")
    @click.option("--campaign", "campaign_id", type=int, required=True)
    @click.option("--dry-run", is_flag=True, help="Only count the residents concerned.")
    def anonymize(campaign_id, dry_run):
        """Remove the personal data of the campaign's residents not active after its report due
        date. Codes keep working and every count stays the same; prints the number alone on the
        last line."""
        from ..campaigns.models import Campaign
        from . import retention

        campaign = db.session.get(Campaign, campaign_id)
        if campaign is None:
            raise click.ClickException(f"no campaign with id {campaign_id}")
        if campaign.report_due_on is None:
            raise click.ClickException("the campaign has no report due date: nothing to go by")
        today = datetime.now(campaign.zone).date()
        if today <= campaign.report_due_on:
            raise click.ClickException(
                f"the report is due on {campaign.report_due_on.isoformat()}: who stays active "
                "after it can only be known once that day is over")
        if dry_run:
            count = retention.count_inactive(campaign)
            db.session.rollback()
            click.echo(f"{count} residents of {campaign.title} would be anonymized (dry run)")
        else:
            count = retention.anonymize(campaign)
            db.session.commit()
            click.echo(f"anonymized {count} residents of {campaign.title}; codes and counts unchanged")
        click.echo(count)
