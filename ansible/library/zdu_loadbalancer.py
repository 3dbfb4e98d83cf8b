#!/usr/bin/python
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

DOCUMENTATION = '''
---
module: zdu_loadbalancer
short_description: Replace HAProxy and keepalived without dropping a request
description:
  - C(start_bridge) starts a second HAProxy, the bridge, from the image,
    volumes and environment of kolla's container, and waits until it
    listens on every address kolla's does (HAProxy binds with
    SO_REUSEPORT). It sets net.ipv4.tcp_migrate_req unless told not to.
    When the container is not running and a bridge left by an interrupted
    run serves, it reports that bridge as the batch's bridge.
  - C(soft_stop) sends the container SIGUSR1, so HAProxy closes its
    listeners and exits once its requests are answered, while systemd is
    kept from restarting it; with I(require_bridge) it refuses unless the
    bridge listens everywhere the container does.
  - C(wait_listening) waits until the container listens on the same
    addresses twice in a row; C(retire_bridge) waits so too, then
    soft-stops the bridge and removes it.
  - C(converge_bridge) undoes an interrupted handoff. It retires a bridge
    left beside a running container and starts a container left stopped.
    A container stopped while the bridge serves is left to the next
    handoff of the host, which recreates it from the target image.
  - C(stop_container) and C(start_container) stop and start a container
    (keepalived on the peers) through its kolla systemd unit when it has
    one.
  - C(anchor) puts the VIPs on I(anchor_interface) too, C(wait_vip) waits
    until keepalived has put them on another interface again, C(release)
    takes them off I(anchor_interface), and C(holds) reports whether
    keepalived holds them here.
options:
  operation:
    description: What to do.
    required: true
    type: str
    choices: [start_bridge, soft_stop, wait_listening, retire_bridge,
              converge_bridge, stop_container, start_container, anchor,
              wait_vip, release, holds]
  container:
    description: The kolla container acted on (or bridged).
    type: str
    default: haproxy
  container_engine:
    description: kolla_container_engine.
    type: str
    default: docker
    choices: [docker, podman]
  bridge_suffix:
    description: Appended to I(container) to name the bridge.
    type: str
    default: _zdu_bridge
  signal:
    description: The signal that soft-stops HAProxy.
    type: str
    default: USR1
  require_bridge:
    description: For soft_stop, refuse unless the bridge listens.
    type: bool
    default: true
  migrate_requests:
    description: For start_bridge, set net.ipv4.tcp_migrate_req to 1.
    type: bool
    default: true
  addresses:
    description: The VIPs, for anchor, wait_vip, release and holds.
    type: list
    elements: str
    default: []
  anchor_interface:
    description: The interface that holds the VIPs meanwhile.
    type: str
    default: lo
  timeout:
    description: Seconds a wait may take.
    type: float
    default: 60
  poll_interval:
    description: Seconds between two looks.
    type: float
    default: 0.2
author: kolla-zdu-plugin developers
'''

EXAMPLES = '''
- name: Start the bridge beside kolla's HAProxy
  zdu_loadbalancer:
    operation: start_bridge
    container: haproxy
    container_engine: "{{ kolla_container_engine }}"

- name: Anchor the VIP while keepalived is recreated
  zdu_loadbalancer:
    operation: anchor
    addresses: ["{{ kolla_internal_vip_address }}"]
'''

RETURN = '''
listeners:
  description: The addresses the container (or bridge) listens on.
  returned: start_bridge, wait_listening, retire_bridge
  type: list
dropped:
  description: Addresses the bridge served and kolla's new HAProxy does not.
  returned: retire_bridge, converge_bridge
  type: list
left_to_handoff:
  description: The bridge serves in place of a stopped container.
  returned: converge_bridge, when so
  type: bool
waited:
  description: Seconds the soft stop or the VIP took.
  returned: soft_stop, wait_vip
  type: float
holds:
  description: Whether keepalived holds a VIP on this host.
  returned: holds
  type: bool
'''

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.zdu_loadbalancer import LoadbalancerWorker  # noqa: E402,E501

ARGUMENT_SPEC = dict(
    operation=dict(type='str', required=True,
                   choices=list(LoadbalancerWorker.OPERATIONS)),
    container=dict(type='str', default='haproxy'),
    container_engine=dict(type='str', default='docker',
                          choices=['docker', 'podman']),
    bridge_suffix=dict(type='str', default='_zdu_bridge'),
    signal=dict(type='str', default='USR1'),
    require_bridge=dict(type='bool', default=True),
    migrate_requests=dict(type='bool', default=True),
    addresses=dict(type='list', elements='str', default=[]),
    anchor_interface=dict(type='str', default='lo'),
    timeout=dict(type='float', default=60),
    poll_interval=dict(type='float', default=0.2),
)
REQUIRED_IF = [
    ('operation', 'anchor', ('addresses',)),
    ('operation', 'wait_vip', ('addresses',)),
]


def generate_module():
    """Return the module with its argument spec."""
    return AnsibleModule(argument_spec=ARGUMENT_SPEC,
                         required_if=REQUIRED_IF, supports_check_mode=True)


def main():
    module = generate_module()
    LoadbalancerWorker(module).run()


if __name__ == '__main__':
    main()
