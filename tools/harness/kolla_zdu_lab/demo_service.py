# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.
"""zdu-demo: the lab's API service, a WSGI application served by uWSGI.

The lab installs this file, unchanged, as ``zdu_demo.py`` in the zdu-demo
image, so it uses the standard library only. The image bakes the release in
``ZDU_DEMO_VERSION`` (``v1`` or ``v2``) and its database schema in
``ZDU_DEMO_SCHEMA``.

Endpoints:

* ``/healthcheck``: ``OK`` while the service can serve requests.
* ``/`` and ``/version``: a JSON document naming the version and the host.
* ``/slow?s=N``: the same document after sleeping N seconds, for drain tests.

Options, from the INI file in ``ZDU_DEMO_CONFIG``:

* ``[DEFAULT] startup_delay``: seconds each worker waits before it serves,
  like a service that loads slowly; the ``ZDU_DEMO_STARTUP_DELAY``
  environment variable overrides it.
* ``[DEFAULT] max_slow``: the longest sleep ``/slow`` accepts.
* ``[schema] exclusive``: when true, the release migrates the shared
  ``[schema] marker_file`` (which plays the database) up to its own schema
  with the first request it serves, as a release that writes rows its
  predecessor cannot read. Health checks do not migrate, so a new release
  can warm up beside the old one. Whatever its own options, a release
  whose schema is older than the marker answers 503 to every request,
  ``/healthcheck`` included: once one v2 has served, every v1 still
  running fails. So old and new must not serve together.
"""

import configparser
import fcntl
import json
import os
import socket
import time
import urllib.parse

DEFAULT_CONFIG_FILE = "/etc/zdu-demo/zdu-demo.conf"
DEFAULT_MARKER_FILE = "/var/lib/zdu-demo/shared/schema.json"


def load_settings(path=None, environ=None):
    """Return the service settings as a dict.

    :param path: the INI file; ``ZDU_DEMO_CONFIG`` or the default if None.
    :param environ: the environment to read; ``os.environ`` if None.
    """
    environ = os.environ if environ is None else environ
    path = path or environ.get("ZDU_DEMO_CONFIG", DEFAULT_CONFIG_FILE)
    parser = configparser.ConfigParser()
    parser.read(path)
    delay = environ.get("ZDU_DEMO_STARTUP_DELAY") or parser.get(
        "DEFAULT", "startup_delay", fallback="0")
    return {
        "version": environ.get("ZDU_DEMO_VERSION", "v0"),
        "schema": int(environ.get("ZDU_DEMO_SCHEMA", "0")),
        "host": parser.get("DEFAULT", "host", fallback="")
        or socket.gethostname(),
        "startup_delay": float(delay),
        "max_slow": float(parser.get("DEFAULT", "max_slow", fallback="300")),
        "exclusive": parser.getboolean("schema", "exclusive", fallback=False),
        "marker_file": parser.get("schema", "marker_file",
                                  fallback=DEFAULT_MARKER_FILE),
    }


def read_schema_marker(path):
    """Return the schema number stored in the marker file, or None."""
    try:
        with open(path) as marker:
            return int(json.load(marker)["schema"])
    except FileNotFoundError:
        return None


def migrate_schema_marker(path, schema, writer):
    """Raise the marker to ``schema`` unless it is already at or above it.

    :returns: the schema number the marker holds afterwards.
    """
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_schema_marker(path)
        if current is not None and current >= schema:
            return current
        temporary = "%s.%d.tmp" % (path, os.getpid())
        with open(temporary, "w") as marker:
            json.dump({"schema": schema, "written_by": writer,
                       "time": time.time()}, marker)
        os.replace(temporary, path)
        return schema


class DemoService(object):
    """The WSGI application."""

    def __init__(self, settings):
        self.settings = settings
        self.migrated = False
        if settings["startup_delay"] > 0:
            time.sleep(settings["startup_delay"])

    def migrate(self):
        """Move the shared schema up to this release's, once per worker."""
        if self.settings["exclusive"] and not self.migrated:
            migrate_schema_marker(
                self.settings["marker_file"], self.settings["schema"],
                "%s@%s" % (self.settings["version"], self.settings["host"]))
            self.migrated = True

    def schema_conflict(self):
        """Return why this release must not serve, or None if it may."""
        marker = read_schema_marker(self.settings["marker_file"])
        if marker is None or marker <= self.settings["schema"]:
            return None
        return ("database schema is %s but %s runs schema %s"
                % (marker, self.settings["version"], self.settings["schema"]))

    def identity(self):
        """Return the document that names this release and host."""
        return {"service": "zdu-demo",
                "version": self.settings["version"],
                "host": self.settings["host"],
                "schema": self.settings["schema"],
                "pid": os.getpid()}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "/")
        conflict = self.schema_conflict()
        if conflict:
            return self.respond(start_response, "503 Service Unavailable",
                                {"error": conflict, **self.identity()})
        if path == "/healthcheck":
            return self.respond(start_response, "200 OK", None)
        self.migrate()
        if path in ("/", "/version"):
            return self.respond(start_response, "200 OK", self.identity())
        if path == "/slow":
            return self.slow(environ, start_response)
        return self.respond(start_response, "404 Not Found",
                            {"error": "no such endpoint: %s" % path})

    def slow(self, environ, start_response):
        """Answer after sleeping ``s`` seconds, bounded by max_slow."""
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        try:
            seconds = float(query.get("s", ["1"])[0])
        except ValueError:
            return self.respond(start_response, "400 Bad Request",
                                {"error": "s must be a number of seconds"})
        seconds = max(0.0, min(seconds, self.settings["max_slow"]))
        time.sleep(seconds)
        return self.respond(start_response, "200 OK",
                            {"slept": seconds, **self.identity()})

    @staticmethod
    def respond(start_response, status, document):
        """Send ``document`` as JSON, or ``OK`` when it is None."""
        if document is None:
            body, kind = b"OK\n", "text/plain"
        else:
            body = (json.dumps(document, sort_keys=True) + "\n").encode()
            kind = "application/json"
        start_response(status, [("Content-Type", kind),
                                ("Content-Length", str(len(body)))])
        return [body]


def make_application():
    """Build the application from the environment and the config file."""
    return DemoService(load_settings())


if os.environ.get("ZDU_DEMO_VERSION"):
    application = make_application()
