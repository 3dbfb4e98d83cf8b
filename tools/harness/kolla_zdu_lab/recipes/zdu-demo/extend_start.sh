#!/bin/bash

# Create the log directory uWSGI writes to, as kolla's API images do.
ZDU_DEMO_LOG_DIR="/var/log/kolla/zdu-demo"
if [[ ! -d "${ZDU_DEMO_LOG_DIR}" ]]; then
    mkdir -p ${ZDU_DEMO_LOG_DIR}
fi
if [[ $(stat -c %a ${ZDU_DEMO_LOG_DIR}) != "755" ]]; then
    chmod 755 ${ZDU_DEMO_LOG_DIR}
fi
