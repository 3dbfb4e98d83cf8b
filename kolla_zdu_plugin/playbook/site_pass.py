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
"""The pass of the site playbook that follows the zero-downtime plays.

The zero-downtime plays run each planned service's kolla role, with the
upgrade action, on every host of the service's group. Running that role
again in the site playbook finds nothing to change but still renders every
file, checks every container and reruns the role's database handlers. So
the site pass leaves out a play that only applies such roles to such
groups, and keeps every other play as it is.
"""

import logging
import os
import re

import yaml

from kolla_zdu_plugin import exceptions

LOG = logging.getLogger(__name__)

_PLAY_BODY_KEYS = ('tasks', 'pre_tasks', 'post_tasks', 'handlers')


def covered_groups(services):
    """Return ``{role: {group, ...}}`` the zero-downtime plays upgraded."""
    covered = {}
    for service in services:
        covered.setdefault(service.project, set()).add(service.group)
    return covered


def _role_name(entry):
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        return entry.get('role') or entry.get('name')
    return None


def _positive_patterns(hosts):
    if isinstance(hosts, str):
        hosts = re.split(r'[:,]', hosts)
    if not isinstance(hosts, list):
        return None
    patterns = [str(pattern).strip() for pattern in hosts]
    return [pattern for pattern in patterns
            if pattern and not pattern.startswith(('&', '!'))]


def is_covered(play, covered):
    """Return True if ``play`` only applies roles the zdu plays ran.

    Such a play has roles and nothing else to run, every role was upgraded
    by the zero-downtime plays, and every group it targets (less its
    ``&`` and ``!`` patterns) is a group they upgraded that role on.
    """
    if not isinstance(play, dict) or not play.get('roles'):
        return False
    if any(play.get(key) for key in _PLAY_BODY_KEYS):
        return False
    roles = [_role_name(entry) for entry in play['roles']]
    groups = _positive_patterns(play.get('hosts'))
    if not groups or not all(role in covered for role in roles):
        return False
    return all(group in covered[role] for role in roles for group in groups)


def _absolute_imports(play, site_dir):
    path = play.get('import_playbook')
    if isinstance(path, str) and not os.path.isabs(path) and '{{' not in path:
        play = dict(play, import_playbook=os.path.join(site_dir, path))
    return play


def write(run_dir, site_playbook, services):
    """Return the playbook the run imports after its own plays.

    :param site_playbook: the operator's site playbook.
    :param services: the service plans the zero-downtime plays carried
        out (anything with ``project`` and ``group``).
    :returns: ``(path, skipped play names)``; ``path`` is ``site_playbook``
        itself when no play is left out, or when it is YAML that only
        Ansible reads (tags such as ``!unsafe`` or ``!vault``), otherwise a
        copy in ``run_dir`` without those plays, its imports made absolute.
    :raises ConfigError: naming the playbook if it cannot be read.
    """
    try:
        with open(site_playbook) as stream:
            plays = yaml.safe_load(stream)
    except OSError as error:
        raise exceptions.ConfigError(
            reason='cannot read the site playbook %s: %s; check the '
                   '--playbook option' % (site_playbook, error))
    except yaml.YAMLError as error:
        LOG.warning("site playbook %s is imported whole: %s",
                    site_playbook, error)
        return site_playbook, []
    if not isinstance(plays, list):
        return site_playbook, []
    covered = covered_groups(services)
    kept, skipped = [], []
    for play in plays:
        if is_covered(play, covered):
            skipped.append(play.get('name') or 'roles %s' % play['roles'])
        else:
            kept.append(play)
    if not skipped:
        return site_playbook, []
    site_dir = os.path.dirname(os.path.abspath(site_playbook))
    kept = [_absolute_imports(play, site_dir) if isinstance(play, dict)
            else play for play in kept]
    path = os.path.join(run_dir, 'site-pass-' + os.path.basename(
        site_playbook))
    with open(path, 'w') as stream:
        stream.write('---\n# %s without the plays whose roles the '
                     'zero-downtime plays ran:\n' % site_playbook)
        for name in skipped:
            stream.write('#   %s\n' % name)
        yaml.safe_dump(kept, stream, default_flow_style=False,
                       sort_keys=False, width=1000)
    return path, skipped
