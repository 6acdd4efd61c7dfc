"""CSV import of companies and people: upload, map columns, dry run, then import in a job."""
