# The relay with its page embedded, as a small non-root image whose root file system can be
# read-only. Build: `docker build -t inbox-doctor .`; run:
#   docker run --read-only -p 8080:8080 -v inbox-doctor:/var/lib/inbox-doctor inbox-doctor
# Checked by hadolint in scripts/check-deploy.

FROM rust:1.95-bookworm AS build
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The page first: the relay embeds dist/ when it is built.
RUN scripts/build-ui \
 && cargo build --release --locked -p inbox-doctor-relay \
 && mkdir -p /state

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/inbox-doctor /usr/local/bin/inbox-doctor
# SQLite's file lives on a volume; with PostgreSQL (INBOX_DOCTOR_DATABASE) nothing is written.
COPY --from=build --chown=nonroot:nonroot /state /var/lib/inbox-doctor
ENV INBOX_DOCTOR_LISTEN=0.0.0.0:8080 \
    INBOX_DOCTOR_DATABASE=sqlite:///var/lib/inbox-doctor/inbox-doctor.db \
    INBOX_DOCTOR_LOG_FORMAT=json
VOLUME ["/var/lib/inbox-doctor"]
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
  CMD ["/usr/local/bin/inbox-doctor", "health", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/inbox-doctor"]
CMD ["serve"]
