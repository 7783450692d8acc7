#!/bin/sh
# The program a scenario gives pidone as /t/main: its guest_main function.
VM_SIDE=guest
. /t/scenario.sh
. /t/config
guest_main "$@"
