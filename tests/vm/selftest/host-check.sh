# host_check's verdict counts.
PIDONE_ARGS='-- true'
EXPECT_EXIT=0
SELFTEST_REASON='host_check: no banana'

host_check() {
	grep -q banana "$1" || { echo "no banana"; return 1; }
}
