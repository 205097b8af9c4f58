# Dovecot from Debian's packages, as the scripts use without Docker.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends dovecot-imapd \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --system --no-create-home vmail && mkdir -p /srv/mail && chown vmail:vmail /srv/mail
COPY dovecot.conf /etc/dovecot/dovecot.conf
EXPOSE 143
CMD ["dovecot", "-F"]
