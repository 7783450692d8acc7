#!/bin/sh
# The program a scenario gives pidone as /t/main: its guest_main function.
. /t/config
. /t/scenario.sh
guest_main "$@"
