# An Alpine application image with pidone as its init.
#   docker build -f docker/Dockerfile -t pidone .       (once: the pidone image)
#   docker build -f docker/alpine.Dockerfile -t app-alpine docker/
#   docker run --rm app-alpine        (docker stop: TERM reaches the app)
ARG PIDONE_IMAGE=pidone
FROM ${PIDONE_IMAGE} AS pidone

FROM alpine:3.20
COPY --from=pidone /pidone /sbin/pidone
COPY app.sh /app/app.sh
ENTRYPOINT ["/sbin/pidone", "--"]
CMD ["/app/app.sh"]
