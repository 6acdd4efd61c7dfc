"""The import job handlers (filled in by app.imports.run)."""
