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

# The work is done by the action plugin of the same name; this file holds
# its documentation, as Ansible expects for action-only plugins.

DOCUMENTATION = '''
---
module: zdu_haproxy
short_description: Drain, restore, add or delete HAProxy servers
description:
  - Changes servers of kolla's HAProxy through its runtime API, on the
    loadbalancer host the task is delegated to. The admin socket is opened
    locally on that host through the haproxy container's volume.
  - Servers taken out of service are recorded on the host, so that the
    converge operation of a later run puts them back; a lease watchdog
    (the systemd unit kolla-zdu-lease-watchdog.service where systemd runs
    the host) puts them back if the run stops renewing the lease.
  - The arguments are checked against the action plugin's ARGUMENT_SPEC,
    which this documentation follows.
options:
  operation:
    description: What to do.
    required: true
    type: str
    choices: [add, check, check_hold, converge, delete, drain, keep, maint,
              ready, wait_drained]
  servers:
    description: HAProxy servers as backend/server names.
    type: list
    elements: str
    default: []
  new_servers:
    description: For add, a dict of backend/server to port.
    type: dict
    default: {}
  address:
    description: For add, the address of the new servers.
    type: str
  container:
    description: Name of the HAProxy container.
    type: str
    default: haproxy
  container_engine:
    description: kolla-ansible's kolla_container_engine.
    type: str
    default: docker
    choices: [docker, podman]
  socket_path:
    description: Path of the admin socket inside the container.
    type: str
    default: /var/lib/kolla/haproxy/haproxy.sock
  lease:
    description: >-
      Seconds the servers this run takes out of service stay so without a
      further call; the watchdog on the loadbalancer host puts them back in
      service when the lease runs out ([haproxy] out_of_service_lease).
    type: float
  timeout:
    description: For wait_drained, the longest wait in seconds.
    type: float
    default: 60
  poll_interval:
    description: For wait_drained, seconds between two reads.
    type: float
    default: 0.5
  temporary_suffix:
    description: For converge, the suffix of temporary server names.
    type: str
    default: _zdu_next
  config_dir:
    description: For check_hold, HAProxy's configuration directory.
    type: path
  max_hold_time:
    description: >-
      For check_hold, the seconds the plan holds requests ([buffer]
      max_hold_time); a backend whose rendered hold differs fails.
    type: int
  max_held_requests:
    description: >-
      For check_hold, the requests the plan holds at once ([buffer]
      max_held_requests); a backend whose rendered hold differs fails.
    type: int
  events_file:
    description: A file on the controller each call is logged to.
    type: path
notes:
  - Supports check mode; in check mode only check, check_hold and
    wait_drained act.
author: kolla-zdu-plugin developers
'''

EXAMPLES = '''
- name: Drain keystone on node1 in every HAProxy
  zdu_haproxy:
    operation: drain
    servers: [keystone_internal_back/node1]
    container_engine: "{{ kolla_container_engine }}"
  delegate_to: "{{ item }}"
  loop: "{{ groups['loadbalancer'] }}"

- name: Add the temporary server of node1
  zdu_haproxy:
    operation: add
    new_servers:
      keystone_internal_back/node1_zdu_next: 15000
    address: "{{ api_interface_address }}"
  delegate_to: "{{ item }}"
  loop: "{{ groups['loadbalancer'] }}"
'''

RETURN = '''
states:
  description: For check, the status of each server.
  type: dict
operator_out:
  description: >-
    For check, the servers in maintenance or drain that the plugin did not
    take out of service (the operator did).
  type: list
left_alone:
  description: For ready, drain and maint, servers the operator took out.
  type: list
waited:
  description: For wait_drained, seconds waited.
  type: float
sessions_left:
  description: For wait_drained, sessions still open at the timeout.
  type: dict
restored:
  description: For converge, servers put back into service.
  type: list
deleted:
  description: For converge and delete, temporary servers deleted.
  type: list
'''
