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
"""The worker of the ``zdu_wait_ready`` module: readiness in a row."""

import glob
import os
import ssl
import time
import urllib.error
import urllib.request


def url_of(scheme, address, port, path):
    """Return the URL of ``path`` on ``address:port``, IPv6 in brackets."""
    host = '[%s]' % address if ':' in address else address
    return '%s://%s:%d%s' % (scheme, host, port,
                             path if path.startswith('/') else '/' + path)


def tls_context(ca_path, validate_certs):
    """Return the SSL context that verifies an https backend."""
    if not validate_certs:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if not ca_path:
        return ssl.create_default_context()
    if os.path.isdir(ca_path):
        files = sorted(glob.glob(os.path.join(ca_path, '*.crt'))
                       + glob.glob(os.path.join(ca_path, '*.pem')))
        if not files:
            raise ValueError('CA directory %s holds no .crt or .pem file'
                             % ca_path)
        context = ssl.create_default_context()
        for name in files:
            context.load_verify_locations(cafile=name)
        return context
    if not os.path.isfile(ca_path):
        raise ValueError('CA file %s does not exist' % ca_path)
    return ssl.create_default_context(cafile=ca_path)


def fetch(url, timeout, context):
    """Return None when ``url`` answers 2xx, or why it did not."""
    try:
        with urllib.request.urlopen(url, timeout=timeout,
                                    context=context) as answer:
            status = answer.status
    except urllib.error.HTTPError as exc:
        return 'HTTP %d' % exc.code
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return str(getattr(exc, 'reason', exc))
    if 200 <= status < 300:
        return None
    return 'HTTP %d' % status


class NotReady(Exception):
    """A target did not give enough answers in a row before the deadline."""


class ReadinessWorker(object):
    """Poll each target until it answers 2xx enough times in a row.

    Every target must give ``consecutive_successes`` answers in a row, all
    of them within ``timeout`` seconds.
    """

    def __init__(self, module, clock=time.monotonic, sleep=time.sleep,
                 fetcher=fetch):
        self.module = module
        self.params = module.params
        self.clock = clock
        self.sleep = sleep
        self.fetch = fetcher
        self.results = []

    def urls(self):
        """Return the URLs of the targets, in order, each once."""
        result = []
        for target in self.params['targets']:
            url = url_of(self.params['scheme'], self.params['address'],
                         target['port'], target.get('path') or '/')
            if url not in result:
                result.append(url)
        return result

    def wait_for(self, url, deadline, context):
        """Wait until ``url`` answers enough times in a row."""
        wanted = max(1, self.params['consecutive_successes'])
        in_a_row = attempts = 0
        error = None
        while True:
            attempts += 1
            why = self.fetch(url, self.params['request_timeout'], context)
            if why is None:
                in_a_row += 1
            else:
                in_a_row, error = 0, why
            if in_a_row >= wanted:
                self.results.append({'url': url, 'attempts': attempts,
                                     'in_a_row': in_a_row})
                return
            if self.clock() >= deadline:
                self.results.append({'url': url, 'attempts': attempts,
                                     'in_a_row': in_a_row,
                                     'last_error': error})
                raise NotReady(
                    '%s gave %d of %d answers in a row after %d requests '
                    'within %ss; last error: %s'
                    % (url, in_a_row, wanted, attempts,
                       self.params['timeout'], error))
            self.sleep(self.params['interval'])

    def run(self):
        """Wait for every target; exit or fail the module."""
        started = self.clock()
        if self.module.check_mode:
            self.module.exit_json(changed=False, targets=[], waited=0.0,
                                  msg='check mode: not requested')
            return
        try:
            context = (tls_context(self.params.get('ca_path'),
                                   self.params['validate_certs'])
                       if self.params['scheme'] == 'https' else None)
        except (ValueError, ssl.SSLError) as exc:
            self.module.fail_json(msg='zdu_wait_ready: ca_path: %s' % exc,
                                  targets=[], waited=0.0)
            return
        deadline = started + self.params['timeout']
        try:
            for url in self.urls():
                self.wait_for(url, deadline, context)
        except NotReady as exc:
            self.module.fail_json(msg=str(exc), targets=self.results,
                                  waited=round(self.clock() - started, 2))
            return
        self.module.exit_json(changed=False, targets=self.results,
                              waited=round(self.clock() - started, 2))
