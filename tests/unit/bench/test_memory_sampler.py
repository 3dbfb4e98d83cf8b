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
"""Sampling HAProxy's memory while an upgrade runs."""

import threading

from kolla_zdu_bench.upgrade import haproxy_memory
from kolla_zdu_bench.upgrade import memory_sampler
from tests.unit import base

FIRST, SECOND = haproxy_memory.SOURCES[0], haproxy_memory.SOURCES[2]


class FakeReader(object):
    """Answer reads from per-(node, source) lists of values."""

    def __init__(self, answers):
        self.answers = {key: list(values) for key, values in answers.items()}
        self.calls = []

    def __call__(self, node, source):
        self.calls.append((node, source.name))
        values = self.answers.get((node, source.name), [])
        return values.pop(0) if values else None


class NodePeakTestCase(base.TestCase):

    def test_keeps_the_peak_and_counts(self):
        peak = memory_sampler.NodePeak()
        for value in (10.0, None, 30.0, 20.0):
            peak.add(value)
        self.assertEqual((30.0, 3, 1), (peak.peak_mib, peak.samples,
                                        peak.missed))

    def test_overall_peak(self):
        peaks = {'node1': memory_sampler.NodePeak(peak_mib=5.0),
                 'node2': memory_sampler.NodePeak(),
                 'node3': memory_sampler.NodePeak(peak_mib=9.5)}
        self.assertEqual(9.5, memory_sampler.overall_peak(peaks))
        self.assertIsNone(memory_sampler.overall_peak(
            {'node1': memory_sampler.NodePeak()}))


class SamplerTestCase(base.TestCase):

    def test_settles_on_the_first_source_that_answers(self):
        reader = FakeReader({('node1', SECOND.name): [4.0, 6.0],
                             ('node1', FIRST.name): [None, 99.0]})
        sampler = memory_sampler.Sampler(['node1'], read=reader,
                                         sources=(FIRST, SECOND))
        sampler.sample('node1')
        sampler.sample('node1')
        peak = sampler.peaks['node1']
        self.assertEqual(SECOND.name, peak.source)
        self.assertEqual(6.0, peak.peak_mib)
        self.assertEqual([('node1', FIRST.name), ('node1', SECOND.name),
                          ('node1', SECOND.name)], reader.calls)

    def test_missed_sample_when_no_source_answers(self):
        sampler = memory_sampler.Sampler(['node1'], read=FakeReader({}),
                                         sources=(FIRST, SECOND))
        self.assertIsNone(sampler.sample('node1'))
        self.assertEqual((None, 0, 1, None),
                         (sampler.peaks['node1'].peak_mib,
                          sampler.peaks['node1'].samples,
                          sampler.peaks['node1'].missed,
                          sampler.peaks['node1'].source))

    def test_threads_are_bounded_by_max_samples(self):
        reader = FakeReader({(node, FIRST.name): [1.0, 2.0, 3.0, 4.0]
                             for node in ('node1', 'node2')})
        sampler = memory_sampler.Sampler(['node1', 'node2'], interval=0,
                                         max_samples=3, read=reader,
                                         sources=(FIRST,))
        sampler.start()
        for thread in sampler._threads:
            thread.join(5)
            self.assertFalse(thread.is_alive())
        sampler.stop()
        self.assertEqual(3.0, sampler.peaks['node1'].peak_mib)
        self.assertEqual(3, sampler.peaks['node2'].samples)

    def test_stop_ends_the_threads(self):
        read = threading.Event()

        def reader(node, source):
            read.set()
            return 1.0

        with memory_sampler.Sampler(['node1'], interval=60,
                                    read=reader) as sampler:
            self.assertTrue(read.wait(5))
            threads = list(sampler._threads)
        self.assertEqual(1, len(threads))
        self.assertFalse(threads[0].is_alive())
        self.assertEqual(1, sampler.peaks['node1'].samples)
