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
"""Write the site pass the plan decided (see planning.site_pass).

Each site playbook with a changed play, or importing a playbook with one,
is written into the run directory as a copy: plays left out or run first
are dropped, narrowed plays exclude the hosts the zero-downtime plays
upgraded (``!host`` patterns), and a rolled play is preceded by its
zero-downtime plays. Imports point at the copies, or are made absolute.
A playbook without a change is imported as it is.
"""

import dataclasses
import os

import yaml

from kolla_zdu_plugin import exceptions
from kolla_zdu_plugin.planning import plan

_DROPPED = (plan.SITE_SKIP, plan.SITE_FIRST)


@dataclasses.dataclass(frozen=True)
class Written:
    """The playbooks the run imports.

    :param site: after the services' plays, one per site playbook.
    :param first: ``{service: [path, ...]}`` imported before the batches
        of each service.
    """

    site: tuple
    first: dict


def _load(path):
    try:
        with open(path) as stream:
            plays = yaml.safe_load(stream)
    except OSError as error:
        raise exceptions.ConfigError(
            reason='cannot read the site playbook %s: %s; check the '
                   '--playbook option' % (path, error))
    return plays if isinstance(plays, list) else []


def narrowed(play, excluded):
    """Return ``play`` without the hosts of ``excluded``."""
    hosts = play.get('hosts') or []
    patterns = ['!%s' % host for host in excluded]
    if isinstance(hosts, str):
        return dict(play, hosts=':'.join([hosts] + patterns))
    return dict(play, hosts=list(hosts) + patterns)


def _dump(path, header, plays):
    with open(path, 'w') as stream:
        stream.write('---\n# %s\n' % header)
        yaml.safe_dump(plays, stream, default_flow_style=False,
                       sort_keys=False, width=1000)
    return path


class _Writer(object):

    def __init__(self, run_dir, site_plan, rolled_plays):
        self.run_dir = run_dir
        self.site_plan = site_plan
        self.rolled_plays = rolled_plays
        self.copies = {}
        self._plays = {}

    def plays(self, path):
        """Return the plays of ``path``, read once per run."""
        if path not in self._plays:
            self._plays[path] = _load(path)
        return self._plays[path]

    def copy_path(self, playbook, prefix):
        name = '%s%s' % (prefix, os.path.basename(playbook))
        path = os.path.join(self.run_dir, name)
        number = 1
        while path in self.copies.values():
            number += 1
            path = os.path.join(self.run_dir, '%s%d-%s' % (
                prefix, number, os.path.basename(playbook)))
        return path

    def playbook(self, path):
        """Return the path to import for ``path``: a copy or itself."""
        if path in self.copies:
            return self.copies[path]
        if path in self.site_plan.whole:
            return path
        site_dir = os.path.dirname(path)
        kept, changed, notes = [], False, []
        for index, play in enumerate(self.plays(path)):
            if not isinstance(play, dict):
                kept.append(play)
                continue
            imported = play.get('import_playbook')
            if isinstance(imported, str):
                if '{{' in imported:
                    kept.append(play)
                    continue
                target = os.path.normpath(os.path.join(site_dir, imported))
                written = self.playbook(target)
                changed = changed or written != target
                kept.append(dict(play, import_playbook=written))
                continue
            change = self.site_plan.change_of(path, index)
            if change is None:
                kept.append(play)
                continue
            changed = True
            notes.append('%s "%s": %s' % (change.decision, change.name,
                                          change.reason))
            if change.decision in _DROPPED:
                continue
            if change.decision == plan.SITE_ROLL:
                kept.extend(self.rolled_plays(change))
            kept.append(narrowed(play, change.excluded))
        if not changed:
            return path
        copy = self.copy_path(path, 'site-pass-')
        self.copies[path] = copy
        _dump(copy, '%s as the site pass runs it:\n# %s'
              % (path, '\n# '.join(notes) or 'imports the changed copies'),
              kept)
        return copy

    def first(self):
        found = {}
        services = dict.fromkeys(c.service for c in self.site_plan.changes)
        for change in [first for service in services
                       for first in self.site_plan.run_first(service)]:
            play = self.plays(change.playbook)[change.index]
            path = os.path.join(self.run_dir, 'site-first-%d-%s' % (
                len(self.copies) + sum(len(v) for v in found.values()),
                os.path.basename(change.playbook)))
            _dump(path, 'play %d of %s, run before the batches of %s: %s'
                  % (change.index, change.playbook, change.service,
                     change.reason), [play])
            found.setdefault(change.service, []).append(path)
        return found


def write(run_dir, site_plan, rolled_plays):
    """Write the site pass of ``site_plan``; return :class:`Written`.

    :param rolled_plays: a callable returning the plays of a rolled
        :class:`~kolla_zdu_plugin.planning.plan.SitePlayChange`.
    :raises ConfigError: naming a site playbook that cannot be read.
    """
    writer = _Writer(run_dir, site_plan, rolled_plays)
    site = tuple(writer.playbook(path) for path in site_plan.playbooks)
    return Written(site=site, first=writer.first())
