# A Debian-slim application image with pidone as its init. The app's
# graceful stop is QUIT (as for nginx), so pidone turns docker stop's TERM
# into QUIT, and gives leftover processes 10 s after the app exits.
#   docker build -f docker/debian-slim.Dockerfile -t app-debian docker/
ARG PIDONE_IMAGE=pidone
FROM ${PIDONE_IMAGE} AS pidone

FROM debian:bookworm-slim
COPY --from=pidone /pidone /sbin/pidone
COPY app.sh /app/app.sh
ENV PIDONE_VERBOSITY=2
ENTRYPOINT ["/sbin/pidone", "--rewrite", "TERM:QUIT", "--grace-period", "10s", "--"]
CMD ["/app/app.sh"]
