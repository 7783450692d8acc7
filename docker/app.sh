#!/bin/sh
# A stand-in for your application, used by the examples in this directory:
# it leaves an orphan behind (pidone reaps it), says it is ready, and shuts
# down cleanly on TERM, INT or QUIT (the graceful stop of servers such as
# nginx).
echo "app: started as PID $$, parent $PPID, uid $(id -u), $(grep '^Seccomp:' /proc/self/status | tr -s '\t ' ' ')"
stop() {
	echo "app: $1 received, shutting down"
	exit 0
}
trap 'stop TERM' TERM
trap 'stop INT' INT
trap 'stop QUIT' QUIT
(sleep 1000 &)
echo "app: ready"
while :; do
	sleep 1 &
	wait $!
done
