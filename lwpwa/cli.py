"""The command line of API.md: init-db, seed-demo, create-campaign, create-org, create-user,
issue-cards. Each prints its result's id alone on the last line, for scripts. For operators:
check (is the installation ready?) and recount (does checkin_counts agree with checkins?)."""
import re
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask_migrate import upgrade
from sqlalchemy.exc import IntegrityError

from .database import MAX_ID
from .extensions import db
from .regions import cli as regions_cli
from .residents import cli as residents_cli


def _fail(message):
    raise click.ClickException(message)


def _save(row, duplicate_message):
    """Insert and commit; the unique constraint, not a look-up first, decides a duplicate."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        _fail(duplicate_message)
    db.session.commit()


def _date(value, name):
    from .api.body import bounded_day

    try:
        return bounded_day(date.fromisoformat(value))
    except (TypeError, ValueError):
        _fail(f"{name} must be a date like 2026-12-01 (years 1970-2199), not {value!r}")


def _text(value, name, max_length, required=False):
    """Text given on the command line is stored by the same rule as every other (lwpwa.text)."""
    from .text import TextProblem, clean

    if value is None:
        return None
    try:
        return clean(value, max_length=max_length, required=required) or None
    except TextProblem as problem:
        _fail(f"{name}: {problem.message}")


def _region(code):
    from .regions.models import Region

    region = db.session.get(Region, code) if re.fullmatch(r"[0-9]{6}", code or "") else None
    if region is None:
        _fail(f"unknown region code {code!r} (run init-db first; see GET /api/v1/regions)")
    return region


def _counter_text(values):
    return "no row" if values is None else f"scanned={values[0]} headcount={values[1]}"


def register_cli(app):
    from .flags.cli import register as register_flags_cli

    register_flags_cli(app)

    @app.cli.command("init-db")
    def init_db():
        """Create or upgrade the schema and load the reference data (safe to run again)."""
        from .reference import load_reference_data

        upgrade()
        try:
            counts = load_reference_data()
        except FileNotFoundError as exc:  # the regions package (npm ci) is not installed
            _fail(str(exc))
        db.session.commit()
        click.echo("database ready: " + ", ".join(f"{n} {what}" for what, n in counts.items()))

    @app.cli.command("check")
    def check():
        """Check that this installation is ready to serve; exits 1 if something is not."""
        from .checks import run_checks

        results = run_checks()
        for name, ok, detail in results:
            click.echo(f"{'ok  ' if ok else 'FAIL'}  {name}: {detail}")
        if not all(ok for _name, ok, _detail in results):
            raise SystemExit(1)

    @app.cli.command("recount")
    @click.option("--fix", is_flag=True, help="Rebuild checkin_counts from checkins (and unit_counts from "
                  "checkin_counts), in one transaction.")
    def recount(fix):
        """Compare checkin_counts with the counts computed from checkins, and unit_counts with
        the sums of checkin_counts per campaign and unit; print every difference and exit 1 if
        there is any. With --fix, rebuild what differs (writers of counts wait meanwhile) and
        exit 0 once it agrees."""
        from .checkins import counters
        from .database import begin_write

        if fix:
            begin_write()
            counters.lock_for_rebuild()
        found = counters.differences()
        for activity_id, kind, day, table, truth in found:
            click.echo(f"activity {activity_id} {kind} {day}: checkin_counts "
                       f"{_counter_text(table)}, checkins {_counter_text(truth)}")
        if not found:
            ok = _recount_units(fix)
            click.echo("checkin_counts agrees with checkins")
            if not ok:
                raise SystemExit(1)
            return
        if not fix:
            _recount_units(fix)
            click.echo(f"{len(found)} differences (flask --app wsgi recount --fix rebuilds the table)")
            raise SystemExit(1)
        counters.rebuild()
        left = counters.differences()
        if left:
            db.session.rollback()
            click.echo(f"{len(found)} differences; the rebuild left {len(left)}: nothing changed")
            raise SystemExit(1)
        if not _recount_units(fix):
            raise SystemExit(1)
        click.echo(f"{len(found)} differences mended: checkin_counts rebuilt from checkins")

    def _recount_units(fix):
        """unit_counts against checkin_counts (see lwpwa/reports/rollup.py); rebuilt with
        --fix. Ends the transaction (committed if something was mended); True if it agrees
        now."""
        from .reports import rollup

        found = rollup.differences()
        for campaign_id, org_id, table, truth in found:
            click.echo(f"campaign {campaign_id} unit {org_id}: unit_counts {rollup.describe(table)}, "
                       f"checkin_counts {rollup.describe(truth)}")
        if not found or not fix:
            if found:
                click.echo(f"{len(found)} units' rows of unit_counts differ (recount --fix rebuilds it)")
            if fix:
                db.session.commit()  # checkin_counts may have been rebuilt
            else:
                db.session.rollback()
            return not found
        rollup.rebuild()
        if rollup.differences():
            db.session.rollback()
            click.echo("unit_counts: the rebuild left differences: nothing changed")
            return False
        db.session.commit()
        click.echo(f"{len(found)} units' rows mended: unit_counts rebuilt from checkin_counts")
        return True

    @app.cli.command("seed-demo")
    def seed_demo():
        """Demo data around today: campaign, units, people, activities, check-ins."""
        from .demo import seed_demo as run

        logins = run()
        db.session.commit()
        click.echo(logins)

    @app.cli.command("create-campaign")
    @click.option("--title", required=True)
    @click.option("--region", "region_code", required=True)
    @click.option("--starts-on", required=True)
    @click.option("--ends-on", required=True)
    @click.option("--report-due-on")
    @click.option("--plan-due-on", help="plans (实施方案) due on this day")
    @click.option("--table-title", default="", help="the statistics table's own title (default: from --title)")
    @click.option("--slogan")
    @click.option("--timezone", "tz", default="Asia/Shanghai", show_default=True)
    @click.option("--parent", "parent_id", type=int,
                  help="The national (or province's) week this one is held under: its figures count this one's.")
    def create_campaign(title, region_code, starts_on, ends_on, report_due_on, plan_due_on, table_title, slogan, tz,
                        parent_id):
        """A new year's activity week for the country (000000), a province or a city; prints its id."""
        from .campaigns.models import Campaign
        from .regions.models import scope_prefix

        region = _region(region_code)
        if region.level == "district":
            _fail("a campaign belongs to the country (000000), a province or a city")
        parent = db.session.get(Campaign, parent_id) if parent_id is not None else None
        if parent_id is not None and parent is None:
            _fail(f"no campaign with id {parent_id} (--parent)")
        if parent is not None and (parent.parent_id is not None or parent.region_code == region.code or not
                                   region.code.startswith(scope_prefix(parent.region_code, _region(parent.region_code).level))):
            _fail("--parent must be a week of a larger region that contains this one, itself under no other")
        starts, ends = _date(starts_on, "--starts-on"), _date(ends_on, "--ends-on")
        if ends < starts:
            _fail("--ends-on is before --starts-on")
        due = _date(report_due_on, "--report-due-on") if report_due_on else None
        if due and due < starts:
            _fail("--report-due-on is before the campaign starts")
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            _fail(f"unknown time zone {tz!r} (e.g. Asia/Shanghai)")
        title = _text(title, "--title", 200, required=True)
        slogan = _text(slogan, "--slogan", 200)
        table_title = _text(table_title, "--table-title", 200) or ""
        plan_due = _date(plan_due_on, "--plan-due-on") if plan_due_on else None
        if plan_due and plan_due > ends:
            _fail("--plan-due-on is after the campaign ends")
        campaign = Campaign(title=title, slogan=slogan, region_code=region.code, timezone=tz,
                            starts_on=starts, ends_on=ends, report_due_on=due, plan_due_on=plan_due,
                            table_title=table_title, parent_id=parent_id)
        _save(campaign, f"a campaign titled {title!r} already exists in {region.name}")
        click.echo(f"created campaign {campaign.title} ({region.name})")
        click.echo(campaign.id)

    @app.cli.command("create-org")
    @click.argument("name")
    @click.option("--region", "region_code", required=True)
    @click.option("--kind", default="other", show_default=True)
    @click.option("--lead", "lead_name", help="负责人")
    @click.option("--reporter", "reporter_name", help="填报人")
    @click.option("--phone", help="联系电话")
    def create_org(name, region_code, kind, lead_name, reporter_name, phone):
        """A reporting unit (填报单位); prints its id."""
        from .orgs.models import KINDS, Org

        region = _region(region_code)
        name = _text(name, "NAME", 200, required=True)
        lead_name = _text(lead_name, "--lead", 64)
        reporter_name = _text(reporter_name, "--reporter", 64)
        phone = _text(phone, "--phone", 32)
        if kind not in KINDS:
            _fail(f"--kind must be one of {', '.join(KINDS)}")
        org = Org(name=name, region_code=region.code, kind=kind, lead_name=lead_name,
                  reporter_name=reporter_name, phone=phone)
        _save(org, f"a unit named {name!r} already exists in {region.name}")
        click.echo(f"created unit {org.name} ({region.name})")
        click.echo(org.id)

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--password", required=True)
    @click.option("--role", required=True, type=click.Choice(["volunteer", "site_lead", "bureau", "admin"]))
    @click.option("--org", "org_id", type=click.IntRange(1, MAX_ID))
    @click.option("--region", "region_code")
    def create_user(username, password, role, org_id, region_code):
        """A user of a role; volunteers and site leads need --org, bureaus --region."""
        from .accounts.service import AccountError
        from .accounts.service import create_user as create

        try:
            user = create(username, password, role, org_id=org_id, region_code=region_code)
        except AccountError as exc:
            _fail(str(exc))
        db.session.commit()
        click.echo(f"created {user.role} {user.username}")
        click.echo(user.id)

    @app.cli.command("issue-cards")
    @click.argument("count", type=click.IntRange(1, 10_000))
    @click.option("--org", "org_id", type=click.IntRange(1, MAX_ID), required=True)
    def issue_cards(count, org_id):
        """Mint COUNT blank sign-in codes for printed cards, one per line."""
        from .orgs.models import Org
        from .residents.service import mint_cards

        org = db.session.get(Org, org_id)
        if org is None:
            _fail(f"no unit with id {org_id}")
        minted = mint_cards(org, count)
        db.session.commit()
        for code in minted:
            click.echo(code.code)

    residents_cli.register(app)
    regions_cli.register(app)
