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
    converge operation of a later run puts them back.
options:
  operation:
    description: What to do.
    required: true
    choices: [check, ready, drain, maint, wait_drained, add, delete,
              converge]
  servers:
    description: HAProxy servers as backend/server names.
    type: list
  new_servers:
    description: For add, a dict of backend/server to port.
    type: dict
  address:
    description: For add, the address of the new servers.
    type: str
  container:
    description: Name of the HAProxy container.
    default: haproxy
  socket_path:
    description: Path of the admin socket inside the container.
    default: /var/lib/kolla/haproxy/haproxy.sock
  lease:
    description: >-
      Seconds the servers this run takes out of service stay so without a
      further call; a watchdog on the loadbalancer host puts them back in
      service when the lease runs out ([haproxy] out_of_service_lease).
  timeout:
    description: For wait_drained, the longest wait in seconds.
    default: 60
  poll_interval:
    description: For wait_drained, seconds between two reads.
    default: 0.5
  temporary_suffix:
    description: For converge, the suffix of temporary server names.
    default: _zdu_next
notes:
  - Supports check mode; in check mode nothing is changed.
author: kolla-zdu-plugin developers
'''

EXAMPLES = '''
- name: Drain keystone on node1 in every HAProxy
  zdu_haproxy:
    operation: drain
    servers: [keystone_internal_back/node1]
  delegate_to: "{{ item }}"
  loop: "{{ groups['loadbalancer'] }}"
'''

RETURN = '''
states:
  description: For check, the status of each server.
  type: dict
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
