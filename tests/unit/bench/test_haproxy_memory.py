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
"""Reading HAProxy's memory in a lab node."""

from kolla_zdu_bench.upgrade import haproxy_memory
from kolla_zdu_lab import errors
from tests.unit import base

MIB = 1024 * 1024


class SizeTestCase(base.TestCase):

    def test_binary_and_decimal_units(self):
        self.assertEqual(12.5, haproxy_memory.size_to_mib('12.5MiB'))
        self.assertEqual(2048.0, haproxy_memory.size_to_mib('2GiB'))
        self.assertEqual(0.5, haproxy_memory.size_to_mib('512KiB'))
        self.assertAlmostEqual(1e6 / MIB, haproxy_memory.size_to_mib('1MB'))
        self.assertAlmostEqual(980e3 / MIB,
                               haproxy_memory.size_to_mib('980kB'))
        self.assertAlmostEqual(100.0 / MIB,
                               haproxy_memory.size_to_mib('100B'))
        self.assertAlmostEqual(100.0 / MIB, haproxy_memory.size_to_mib('100'))

    def test_not_a_size(self):
        for text in ('', '--', 'MiB', '12.5 parsecs', '1.2.3MiB', None):
            self.assertIsNone(haproxy_memory.size_to_mib(text), text)


class MemUsageTestCase(base.TestCase):

    def test_docker_stats_column(self):
        self.assertEqual(
            23.45, haproxy_memory.parse_mem_usage('23.45MiB / 7.763GiB\n'))

    def test_spaces_and_leading_blank_lines(self):
        self.assertEqual(
            1.5, haproxy_memory.parse_mem_usage('\n  1.5MiB  /  1GiB  \n'))

    def test_first_line_counts(self):
        self.assertEqual(
            3.0, haproxy_memory.parse_mem_usage('3MiB / 1GiB\n9MiB / 1GiB'))

    def test_zero_when_cgroup_stats_missing(self):
        self.assertEqual(0.0, haproxy_memory.parse_mem_usage('0B / 0B'))

    def test_unreadable_output(self):
        for text in ('', '-- / --', 'Error: No such container: haproxy',
                     None):
            self.assertIsNone(haproxy_memory.parse_mem_usage(text), text)


class CgroupTestCase(base.TestCase):

    def test_bytes(self):
        self.assertEqual(
            20.0, haproxy_memory.parse_cgroup_bytes('%d\n' % (20 * MIB)))

    def test_error_then_number(self):
        self.assertEqual(1.0, haproxy_memory.parse_cgroup_bytes(
            'cat: x: No such file or directory\n%d\n' % MIB))

    def test_not_a_count(self):
        for text in ('max\n', '', 'cat: /sys/fs/cgroup/memory.current: No '
                     'such file or directory', '-5', '12.5'):
            self.assertIsNone(haproxy_memory.parse_cgroup_bytes(text), text)


class ReadWithTestCase(base.TestCase):

    def source(self):
        return haproxy_memory.SOURCES[0]

    def test_runs_in_the_node(self):
        calls = []

        def run(node, *argv, **kwargs):
            calls.append((node, argv, kwargs))
            return '%d\n' % (7 * MIB)

        self.assertEqual(7.0, haproxy_memory.read_with(
            'node2', self.source(), run=run))
        self.assertEqual(
            [('node2', ('docker', 'exec', 'haproxy', 'cat',
                        '/sys/fs/cgroup/memory.current'),
              {'timeout': haproxy_memory.READ_TIMEOUT, 'check': False})],
            calls)

    def test_failure_and_zero_give_none(self):
        def fail(node, *argv, **kwargs):
            raise errors.LabError(reason='timed out')

        self.assertIsNone(haproxy_memory.read_with('node1', self.source(),
                                                   run=fail))
        self.assertIsNone(haproxy_memory.read_with(
            'node1', haproxy_memory.SOURCES[2],
            run=lambda node, *argv, **kwargs: '0B / 0B'))
