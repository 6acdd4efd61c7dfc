"""A bare Flask "hello" for bench/team_year.py: the floor of gunicorn + Flask + loopback.

Served under the same gunicorn settings as the app (`gunicorn --chdir bench hello_app:app`), so
an endpoint's time divided by this one's says how much of it is the app's own work.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
