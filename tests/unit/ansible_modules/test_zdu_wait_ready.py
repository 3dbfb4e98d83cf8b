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
"""The ``zdu_wait_ready`` module's worker, with a fake module.

As kolla-ansible tests ``kolla_container``: the worker runs with a fake
``AnsibleModule`` (its params, check mode, exit and fail), against fake
answers and against real loopback servers, over http and https.
"""

import http.server
import importlib.util
import os
import ssl
import subprocess
import sys
import threading
from unittest import mock

import fixtures
import yaml

from kolla_zdu_plugin.playbook import workspace
from tests.unit import base


def _load(name, *path):
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(workspace.plugin_ansible_dir(), *path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


readiness = _load('zdu_readiness', 'module_utils', 'zdu_readiness.py')


class Exited(Exception):
    def __init__(self, failed, result):
        super().__init__(result.get('msg', ''))
        self.failed = failed
        self.result = result


class FakeModule(object):
    """What the worker uses of ``AnsibleModule``."""

    def __init__(self, check_mode=False, **params):
        self.params = dict(scheme='http', timeout=10.0,
                           consecutive_successes=1, interval=0.0,
                           request_timeout=2.0, ca_path=None,
                           validate_certs=True, address='127.0.0.1')
        self.params.update(params)
        self.check_mode = check_mode

    def exit_json(self, **result):
        raise Exited(False, result)

    def fail_json(self, **result):
        raise Exited(True, result)


class FakeClock(object):
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds or 1.0


def run(module, answers=None, clock=None):
    """Run the worker; return the Exited it ended with."""
    clock = clock or FakeClock()
    kwargs = {'clock': clock, 'sleep': clock.sleep}
    if answers is not None:
        answers = list(answers)
        kwargs['fetcher'] = lambda url, timeout, context: answers.pop(0)
    try:
        readiness.ReadinessWorker(module, **kwargs).run()
    except Exited as exc:
        return exc
    raise AssertionError('the worker neither exited nor failed')


class CountingTestCase(base.TestCase):

    def test_successes_are_counted_in_a_row(self):
        module = FakeModule(targets=[{'port': 5000, 'path': '/healthcheck'}],
                            consecutive_successes=2)
        done = run(module, [None, 'HTTP 503', None, None])
        self.assertFalse(done.failed, done.result)
        self.assertEqual([{'url': 'http://127.0.0.1:5000/healthcheck',
                           'attempts': 4, 'in_a_row': 2}],
                         done.result['targets'])

    def test_timeout_names_the_url_and_the_last_error(self):
        module = FakeModule(targets=[{'port': 5000, 'path': '/'}],
                            consecutive_successes=3, timeout=3.0,
                            interval=1.0)
        done = run(module, [None, None, 'connection refused', None, None])
        self.assertTrue(done.failed)
        self.assertIn('http://127.0.0.1:5000/ gave 1 of 3 answers in a row',
                      done.result['msg'])
        self.assertIn('last error: connection refused', done.result['msg'])

    def test_every_target_within_one_deadline(self):
        module = FakeModule(targets=[{'port': 1, 'path': '/a'},
                                     {'port': 2, 'path': '/b'},
                                     {'port': 1, 'path': '/a'}])
        done = run(module, [None, None])
        self.assertEqual(['http://127.0.0.1:1/a', 'http://127.0.0.1:2/b'],
                         [t['url'] for t in done.result['targets']])

    def test_ipv6_address_in_brackets(self):
        module = FakeModule(address='fd00::11', scheme='https',
                            validate_certs=False,
                            targets=[{'port': 5000, 'path': 'v3'}])
        done = run(module, [None])
        self.assertEqual('https://[fd00::11]:5000/v3',
                         done.result['targets'][0]['url'])

    def test_check_mode_requests_nothing(self):
        module = FakeModule(check_mode=True,
                            targets=[{'port': 5000, 'path': '/'}])
        done = run(module, [])
        self.assertFalse(done.failed)
        self.assertEqual([], done.result['targets'])


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Answers 503 to the first requests, then 200."""

    failures = 0

    def do_GET(self):
        server = self.server
        server.seen += 1
        status = 503 if server.seen <= server.failures else 200
        self.send_response(status)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def log_message(self, *args):
        pass


class LoopbackTestCase(base.TestCase):

    def serve(self, failures=0, context=None):
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Flaky)
        server.seen, server.failures = 0, failures
        if context is not None:
            server.socket = context.wrap_socket(server.socket,
                                                server_side=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 5)
        self.addCleanup(server.shutdown)
        return server

    def make_ca(self):
        """Return (CA file, server context) of a CA and its server cert."""
        directory = self.useFixture(fixtures.TempDir()).path

        def openssl(*args):
            subprocess.run(('openssl',) + args, cwd=directory, check=True,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)

        # The extensions Python 3.13's strict verification asks of a CA
        # and of the certificate it signs.
        openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days',
                '2', '-subj', '/CN=zdu test CA', '-keyout', 'ca.key',
                '-addext', 'basicConstraints=critical,CA:TRUE',
                '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
                '-addext', 'subjectKeyIdentifier=hash', '-out', 'ca.crt')
        openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj',
                '/CN=127.0.0.1', '-keyout', 'server.key', '-out',
                'server.csr')
        with open(os.path.join(directory, 'san.cnf'), 'w') as stream:
            stream.write('subjectAltName=IP:127.0.0.1\n'
                         'authorityKeyIdentifier=keyid\n'
                         'keyUsage=critical,digitalSignature,'
                         'keyEncipherment\n'
                         'extendedKeyUsage=serverAuth\n')
        openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt',
                '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
                '-extfile', 'san.cnf', '-out', 'server.crt')
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(directory, 'server.crt'),
                                os.path.join(directory, 'server.key'))
        return os.path.join(directory, 'ca.crt'), context

    def test_a_flaky_server_must_answer_in_a_row(self):
        server = self.serve(failures=2)
        module = FakeModule(consecutive_successes=2, interval=0.01,
                            targets=[{'port': server.server_address[1],
                                      'path': '/healthcheck'}])
        done = run(module, clock=FakeClock())
        self.assertFalse(done.failed, done.result)
        self.assertEqual(4, done.result['targets'][0]['attempts'])

    def test_https_backend_verified_with_kollas_ca(self):
        ca_file, context = self.make_ca()
        server = self.serve(context=context)
        target = [{'port': server.server_address[1], 'path': '/'}]
        done = run(FakeModule(scheme='https', ca_path=ca_file,
                              targets=target))
        self.assertFalse(done.failed, done.result)
        done = run(FakeModule(scheme='https',
                              ca_path=os.path.dirname(ca_file),
                              targets=target))
        self.assertFalse(done.failed, done.result)

    def test_https_backend_with_an_unknown_ca_is_not_ready(self):
        _ca_file, context = self.make_ca()
        server = self.serve(context=context)
        done = run(FakeModule(scheme='https', timeout=0.0, targets=[
            {'port': server.server_address[1], 'path': '/'}]))
        self.assertTrue(done.failed)
        self.assertIn('CERTIFICATE_VERIFY_FAILED', done.result['msg'])

    def test_a_missing_ca_file_is_named(self):
        done = run(FakeModule(scheme='https', ca_path='/nonexistent/ca.crt',
                              targets=[{'port': 1, 'path': '/'}]))
        self.assertTrue(done.failed)
        self.assertIn('ca_path: CA file /nonexistent/ca.crt does not exist',
                      done.result['msg'])


class DocumentationTestCase(base.TestCase):

    def test_documentation_follows_the_argument_spec(self):
        with mock.patch.dict(sys.modules, {
                'ansible.module_utils.zdu_readiness': readiness}):
            module = _load('zdu_wait_ready', 'library', 'zdu_wait_ready.py')
        documented = yaml.safe_load(module.DOCUMENTATION)['options']
        self.assertEqual(sorted(module.ARGUMENT_SPEC), sorted(documented))
        for name, spec in module.ARGUMENT_SPEC.items():
            for key in ('type', 'default', 'choices', 'elements'):
                self.assertEqual(spec.get(key), documented[name].get(key),
                                 '%s of option %s' % (key, name))
