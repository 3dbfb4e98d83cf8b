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
"""Bringing the lab up and down."""

import logging
import os
import shlex
import shutil

from kolla_zdu_lab import ansible_deps
from kolla_zdu_lab import buffer_hold
from kolla_zdu_lab import demo_client
from kolla_zdu_lab import deploy
from kolla_zdu_lab import deploy_host
from kolla_zdu_lab import dockercli
from kolla_zdu_lab import errors
from kolla_zdu_lab import image_recipes
from kolla_zdu_lab import images
from kolla_zdu_lab import inventory
from kolla_zdu_lab import keystone_lab
from kolla_zdu_lab import kolla_config
from kolla_zdu_lab import network
from kolla_zdu_lab import nodes
from kolla_zdu_lab import paths
from kolla_zdu_lab import profile_services
from kolla_zdu_lab import registry
from kolla_zdu_lab import settings as settings_mod
from kolla_zdu_lab import snapshots

LOG = logging.getLogger(__name__)
# Built by `up`, in this order: the images every lab needs, then its
# profile's. The kolla images among them are pushed to the lab registry.
COMMON_IMAGES = ("node", "registry", "base", "haproxy", "keepalived")
KEYSTONE_IMAGES = image_recipes.every_version(image_recipes.KEYSTONE_IMAGES,
                                              settings_mod.KEYSTONE_VERSIONS)
PROFILE_IMAGES = {
    "demo": tuple("zdu-demo-%s" % version
                  for version in settings_mod.DEMO_VERSIONS),
    "keystone": ("mariadb-server", "memcached", "kolla-toolbox", "cron") +
    KEYSTONE_IMAGES,
    "heat": ("mariadb-server", "memcached", "kolla-toolbox-trixie", "cron",
             "rabbitmq") + KEYSTONE_IMAGES +
    image_recipes.every_version(image_recipes.HEAT_IMAGES,
                                settings_mod.HEAT_VERSIONS),
}
SERVICE_READY_TIMEOUT = 90


def check_compatible(lab_settings):
    """Raise LabError if a lab in the same state dir differs in shape."""
    try:
        existing = settings_mod.load_settings(lab_settings.state_dir)
    except errors.LabError:
        return
    shape = (lab_settings.nodes, lab_settings.subnet, lab_settings.profile)
    if (existing.nodes, existing.subnet, existing.profile) != shape:
        raise errors.LabError(
            reason="the lab in %s has %d nodes on %s with the %s profile; "
                   "run `kolla-zdu-lab down` before bringing up %d nodes on "
                   "%s with the %s profile"
                   % ((lab_settings.state_dir, existing.nodes,
                       existing.subnet, existing.profile) + shape))


def image_names(profile):
    """Return the images a lab of ``profile`` runs, in build order.

    Each release's images come after the images they are of.
    """
    return COMMON_IMAGES + PROFILE_IMAGES[profile] + tuple(
        name for release in settings_mod.RELEASES
        for name in list(image_recipes.release_images(profile, release)) +
        list(image_recipes.release_renamed_images(profile, release)))


def build_images(lab_settings, builder):
    """Build every image of the lab's profile the host does not have yet.

    Images of the other profiles stay cached; only images whose inputs
    changed are removed.
    """
    for name in image_names(lab_settings.profile):
        builder.ensure(name)
    builder.prune_stale(sum((image_names(profile)
                             for profile in settings_mod.PROFILES), ()))


def push_images(lab_settings, builder):
    """Push the profile's kolla images to the registry.

    :returns: the images pushed anew.
    """
    return [name for name in image_names(lab_settings.profile)
            if name in image_recipes.KOLLA_IMAGES
            and registry.push(lab_settings, builder, name)]


def forget_pushed(lab_settings, builder, names):
    """Remove the nodes' copies of images the registry has anew.

    A rebuilt image keeps its registry tag (a release such as 2026.2), and
    kolla-ansible pulls only what a node lacks, so a node would run its old
    copy. Copies a container uses stay, and the next pull replaces them.
    """
    references = [registry.node_reference(lab_settings, builder, name)
                  for name in names]
    for node in lab_settings.node_names() if references else ():
        dockercli.node_exec(node, "docker", "rmi", "--force", *references,
                            check=False)


def start_nodes(lab_settings, builder):
    """Create or start every node and wait until all accept SSH."""
    nodes.ensure_ssh_key(lab_settings)
    nodes.write_daemon_config(lab_settings)
    os.makedirs(lab_settings.shared_dir, exist_ok=True)
    image = builder.ensure("node")
    for name in lab_settings.node_names():
        nodes.ensure_node(lab_settings, name, image)
    nodes.wait_ready(lab_settings, lab_settings.node_names())


def write_kolla_config(lab_settings, builder):
    """Write the inventory, globals, hold files, passwords, ansible.cfg."""
    kolla_config.write_globals(lab_settings, builder)
    if lab_settings.profile == "demo":
        buffer_hold.write_files(lab_settings.config_dir)
    kolla_config.ensure_passwords(lab_settings)
    inventory.write_inventory(lab_settings)
    inventory.write_ansible_cfg(lab_settings)


def up(lab_settings):
    """Build what is missing, start the lab and deploy with kolla-ansible.

    Rerunning it on a running lab converges: cached images are reused,
    running nodes are kept, and ``kolla-ansible deploy`` changes only what
    differs. The zdu-demo release stays the one ``target`` chose.
    """
    lab_settings.validate()
    dockercli.ensure_daemon()
    check_compatible(lab_settings)
    ansible_deps.ensure_collections()
    lab_settings.save()
    builder = images.ImageBuilder(lab_settings)
    build_images(lab_settings, builder)
    network.ensure_network(lab_settings)
    registry.ensure_registry(lab_settings, builder)
    pushed = push_images(lab_settings, builder)
    start_nodes(lab_settings, builder)
    forget_pushed(lab_settings, builder, pushed)
    deployed_before = os.path.exists(lab_settings.path("deployed"))
    write_kolla_config(lab_settings, builder)
    services = profile_services.for_profile(lab_settings.profile)
    if services:
        services.ensure_database(lab_settings, builder)
    if deployed_before and pushed:
        deploy.run_kolla_ansible(lab_settings, "pull")
    deploy.run_kolla_ansible(lab_settings, "deploy")
    nodes.reload_systemd(lab_settings.node_names())
    open(lab_settings.path("deployed"), "w").close()
    target = kolla_config.target_version(lab_settings)
    LOG.info("waiting for %s to serve %s", lab_settings.service_url, target)
    if services:
        services.wait_ready(lab_settings, timeout=SERVICE_READY_TIMEOUT)
        services.ensure_probe_account(lab_settings)
        snapshots.save_snapshot(lab_settings, target)
    else:
        demo_client.wait_for_version(lab_settings.url, target,
                                     timeout=SERVICE_READY_TIMEOUT)


def environment(lab_settings):
    """Return the variables ``env`` exports, in order."""
    variables = [
        ("LAB_INVENTORY", lab_settings.inventory_dir),
        ("LAB_CONFIGDIR", lab_settings.config_dir),
        ("LAB_URL", lab_settings.service_url),
        ("LAB_PLAYBOOK", paths.profile_playbook(lab_settings.profile))]
    if lab_settings.profile in settings_mod.KOLLA_SITE_PROFILES:
        variables += [("OS_CLIENT_CONFIG_FILE",
                       keystone_lab.clouds_path(lab_settings)),
                      ("OS_CLOUD", keystone_lab.PROBE_CLOUD)]
    return variables + sorted(deploy.lab_environment(lab_settings).items())


def format_environment(lab_settings):
    """Return ``export`` lines for a shell's ``eval``.

    kolla-ansible runs ``ansible-playbook`` from PATH, so the lines put this
    Python environment's scripts first when PATH lacks them.
    """
    lines = ["export %s=%s" % (key, shlex.quote(value))
             for key, value in environment(lab_settings)]
    scripts = paths.venv_bin_dir()
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        lines.append('export PATH=%s:"$PATH"' % shlex.quote(scripts))
    return "\n".join(lines)


def down(state_dir):
    """Remove what the lab made: containers, volumes, network, state dir.

    Built images stay cached in the host's docker.
    """
    dockercli.ensure_daemon()
    try:
        registry.untag_pushed(settings_mod.load_settings(state_dir))
    except errors.LabError as error:
        LOG.debug("not untagging registry images: %s", error)
    nodes.remove_nodes()
    for name in dockercli.labelled("container", settings_mod.LABEL):
        LOG.info("removing container %s", name)
        dockercli.docker("rm", "-f", "-v", name)
    for name in dockercli.labelled("volume", settings_mod.LABEL):
        LOG.info("removing volume %s", name)
        dockercli.docker("volume", "rm", "-f", name)
    network.remove_networks()
    deploy_host.remove_cgroup()
    if os.path.isdir(state_dir):
        LOG.info("removing state dir %s", state_dir)
        shutil.rmtree(state_dir)
