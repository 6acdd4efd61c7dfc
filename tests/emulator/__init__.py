"""Local stand-ins for outside services, for tests and development."""
