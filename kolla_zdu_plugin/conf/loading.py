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
"""Find, load and validate the plugin's configuration file.

The file is ``zdu.conf`` in the kolla config dir (``/etc/kolla/zdu.conf``
by default) or the path given with ``--zdu-config-file``. Every problem is
reported before anything runs on the cluster, naming the option and file.
"""

import os

from oslo_config import cfg

from kolla_zdu_plugin import conf as zdu_conf
from kolla_zdu_plugin import exceptions

CONFIG_FILE_NAME = 'zdu.conf'


def config_file_path(config_dir, explicit_path=None):
    """Return the configuration file to read, or None when there is none.

    :raises: ConfigError when ``explicit_path`` does not exist.
    """
    if explicit_path:
        if not os.path.isfile(explicit_path):
            raise exceptions.ConfigError(
                reason='--zdu-config-file %s does not exist or is not a '
                       'file' % explicit_path)
        return os.path.abspath(explicit_path)
    default = os.path.join(os.path.abspath(config_dir), CONFIG_FILE_NAME)
    return default if os.path.isfile(default) else None


def _known_options(conf):
    known = {}
    for group, opts in zdu_conf.opts.list_opts():
        names = set()
        for opt in opts:
            names.add(opt.dest)
            names.update(d.name for d in opt.deprecated_opts if d.name)
        known[group.name] = names
    return known


def _check_names(conf, path):
    sections = {}
    try:
        cfg.ConfigParser(path, sections).parse()
    except cfg.ParseError as exc:
        raise exceptions.ConfigError(reason='%s' % exc)
    known = _known_options(conf)
    for section, options in sections.items():
        if section not in known:
            raise exceptions.ConfigError(
                reason='unknown section [%s] in %s; known sections: %s'
                       % (section, path, ', '.join(sorted(known))))
        for name in options:
            if name not in known[section]:
                raise exceptions.ConfigError(
                    reason='unknown option "%s" in section [%s] of %s; '
                           'known options there: %s'
                           % (name, section, path,
                              ', '.join(sorted(known[section]))))


def _problem(exc):
    """Return what oslo.config says is wrong with a value, without where.

    oslo.config words it "Value for option X from LocationInfo(...) is not
    valid: <problem>"; the caller names the option and file itself.
    """
    text = str(exc)
    marker = ' is not valid: '
    return text.split(marker, 1)[1] if marker in text else text


def _check_values(conf, path):
    for group, opts in zdu_conf.opts.list_opts():
        for opt in opts:
            try:
                getattr(conf[group.name], opt.dest)
            except (cfg.ConfigFileValueError, ValueError) as exc:
                raise exceptions.ConfigError(
                    reason='invalid value for option "%s" in section [%s] '
                           'of %s: %s' % (opt.dest, group.name, path,
                                          _problem(exc)))


# Options that must hold an absolute path, and what the path is.
ABSOLUTE_PATHS = (
    ('haproxy', 'socket_path', "HAProxy's stats socket inside the haproxy "
     'container, such as /var/lib/kolla/haproxy/haproxy.sock'),
    ('zdu', 'report_dir', 'a directory on the deployment host, such as '
     '/var/log/kolla/zdu'),
)


def _check_paths(conf):
    for group, name, what in ABSOLUTE_PATHS:
        value = conf[group][name]
        if not value or not os.path.isabs(value):
            raise exceptions.ConfigError(
                reason='[%s] %s in %s must be an absolute path: %s (got %r)'
                       % (group, name, config_source(conf), what, value))


def load_config(config_dir, explicit_path=None, strategy=None):
    """Return a validated ``ConfigOpts`` with the plugin's options.

    :param config_dir: the kolla config dir (``--configdir``).
    :param explicit_path: the ``--zdu-config-file`` value, if any.
    :param strategy: the ``--zdu-strategy`` value, which overrides
        ``[zdu] strategy``.
    :raises: ConfigError naming the option and file at fault.
    """
    conf = cfg.ConfigOpts()
    zdu_conf.register_opts(conf)
    path = config_file_path(config_dir, explicit_path)
    files = [path] if path else []
    try:
        conf([], project='kolla-zdu-plugin', default_config_files=files,
             default_config_dirs=[])
    except cfg.Error as exc:
        raise exceptions.ConfigError(reason='%s' % exc)
    if path:
        _check_names(conf, path)
        _check_values(conf, path)
    _check_paths(conf)
    if strategy:
        conf.set_override('strategy', strategy, group='zdu')
    return conf


def config_source(conf):
    """Return the file the configuration came from, for messages."""
    return conf.config_file[0] if conf.config_file else 'built-in defaults'
