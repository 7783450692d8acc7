# cgroup v2, like a container: a program that allocates 200 MB under
# --memory-max 32M is OOM-killed; pidone says so in one line and exits 137,
# and removes the cgroup.
REQUIRES=cgroups
CONTAINER=1
MEMORY=384
PIDONE_ARGS='-v -v -v --cgroup app --memory-max 32M -- dd if=/dev/zero of=/dev/null bs=200M count=1'
EXPECT_EXIT=137
EXPECT_CONSOLE='^pidone: program killed by the OOM killer \(memory\.max 32 MiB\)$
^pidone: debug: removed cgroup /sys/fs/cgroup/app$'
EXPECT_NO_CONSOLE='records in'
