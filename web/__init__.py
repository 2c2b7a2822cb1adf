"""The staff web UI and the JSON API (DESIGN §10): thin FastAPI routes over the services of `bootstrap.App`."""
