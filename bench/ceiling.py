"""The ceiling: a bare Flask "hello" under the same gunicorn settings as the app.

Whatever the app does per request, it cannot be faster than this on the same machine, server
and client; docs/performance.md gives every figure as a share of it, measured in the same run.
`gunicorn -c python:talentday.gunicorn_conf -w 2 'bench.ceiling:app'`.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
