# domeo serve in a container: slim Python, a non-root user, the database on a volume.
#
#   docker build -t domeo .
#   docker run -d --name domeo -p 8000:8000 -v domeo-data:/data \
#       -e DOMEO_API_TOKEN="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')" domeo
#   docker exec domeo domeo ingest /data/exports/invoices.csv      # a load, beside the server
#
# Listening on 0.0.0.0 inside the container needs a token: domeo serve refuses to start without
# DOMEO_API_TOKEN, and then every API request must send "Authorization: Bearer TOKEN".
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DOMEO_DB=/data/domeo.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY domeo_cli ./domeo_cli
RUN pip install . && rm -rf /app/build

RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin domeo \
    && mkdir -p /data && chown domeo:domeo /data
USER domeo
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000

# /health needs the token too: read it from the container's own environment.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD \
    python -c "import os, urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:8000/health', headers={'Authorization': 'Bearer ' + os.environ['DOMEO_API_TOKEN']}), timeout=4)"

STOPSIGNAL SIGTERM
CMD ["domeo", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
