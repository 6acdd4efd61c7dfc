import click


@click.command("import-csv")
def import_csv_command() -> None:
    """Import companies or people from a CSV file."""
