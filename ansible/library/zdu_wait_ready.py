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
module: zdu_wait_ready
short_description: Wait until a container answers its health check
description:
  - Requests each target on the host's API address until it answers 2xx
    a number of times in a row, within one deadline for all targets.
  - A failed or refused request starts the count again, so a container
    that answers only now and then is not taken as ready.
  - Backends with TLS (kolla_enable_tls_backend) are requested over https
    and verified with the CA that kolla-ansible installs.
options:
  address:
    description: The host's API address (IPv4, IPv6 or a name).
    required: true
    type: str
  scheme:
    description: http, or https for a backend with TLS.
    type: str
    default: http
    choices: [http, https]
  targets:
    description: The ports and paths to request.
    required: true
    type: list
    elements: dict
    suboptions:
      port:
        type: int
        required: true
      path:
        type: str
        default: /
  timeout:
    description: Seconds all targets may take to become ready.
    type: float
    default: 120
  consecutive_successes:
    description: Answers in a row each target must give.
    type: int
    default: 1
  interval:
    description: Seconds between two requests to a target.
    type: float
    default: 1
  request_timeout:
    description: Seconds one request may take.
    type: float
    default: 2
  ca_path:
    description:
      - A CA file, or a directory of C(.crt) and C(.pem) files, that
        verifies an https backend; the system's CAs when not given.
    type: path
  validate_certs:
    description: Whether an https backend's certificate is verified.
    type: bool
    default: true
author: kolla-zdu-plugin developers
'''

EXAMPLES = '''
- name: Wait until keystone answers three times in a row
  zdu_wait_ready:
    address: "{{ api_interface_address }}"
    scheme: "{{ 'https' if kolla_enable_tls_backend | bool else 'http' }}"
    targets:
      - port: 5000
        path: /healthcheck
    timeout: 120
    consecutive_successes: 3
'''

RETURN = '''
targets:
  description: Per URL, the requests made and the answers in a row.
  returned: always
  type: list
  elements: dict
waited:
  description: Seconds waited in all.
  returned: always
  type: float
'''

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.zdu_readiness import ReadinessWorker  # noqa: E402

ARGUMENT_SPEC = dict(
    address=dict(type='str', required=True),
    scheme=dict(type='str', default='http', choices=['http', 'https']),
    targets=dict(type='list', elements='dict', required=True, options=dict(
        port=dict(type='int', required=True),
        path=dict(type='str', default='/'))),
    timeout=dict(type='float', default=120),
    consecutive_successes=dict(type='int', default=1),
    interval=dict(type='float', default=1),
    request_timeout=dict(type='float', default=2),
    ca_path=dict(type='path'),
    validate_certs=dict(type='bool', default=True),
)


def generate_module():
    """Return the module with its argument spec."""
    return AnsibleModule(argument_spec=ARGUMENT_SPEC,
                         supports_check_mode=True)


def main():
    module = generate_module()
    ReadinessWorker(module).run()


if __name__ == '__main__':
    main()
