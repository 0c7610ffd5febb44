"""`flask --app wsgi flags-refresh [--all] [--campaign ID]`: recompute the flags of every dirty
activity (or of every activity), unit by unit, one transaction per campaign."""
import time

import click
from sqlalchemy import select

from ..campaigns.models import Campaign
from ..database import begin_write
from ..extensions import db


def register(app):
    @app.cli.command("flags-refresh")
    @click.option("--all", "everything", is_flag=True, help="Recompute every activity, not only the dirty ones.")
    @click.option("--campaign", "campaign_id", type=int, help="Only this campaign.")
    def flags_refresh(everything, campaign_id):
        """Bring the stored anomaly flags up to date (the anomaly page does it for the dirty
        activities it shows, a few units per view)."""
        from . import refresh

        if campaign_id is not None:
            campaigns = [db.session.get(Campaign, campaign_id)]
            if campaigns[0] is None:
                raise click.ClickException(f"no campaign {campaign_id}")
        elif everything:
            campaigns = db.session.scalars(select(Campaign).order_by(Campaign.id)).all()
        else:
            campaigns = refresh.campaigns_with_dirty()
        for campaign in campaigns:
            started = time.perf_counter()
            begin_write()
            left = refresh.refresh_all(campaign) if everything else refresh.refresh(campaign)
            db.session.commit()
            click.echo(f"campaign {campaign.id}: flags up to date in {time.perf_counter() - started:.1f} s"
                       + (f", {left} activities still dirty" if left else ""))
