# grandrounds as a container image: the wheel and the locked dependencies, nothing else.
#
#   docker build -t grandrounds .
#   docker compose up -d          (compose.yaml; walk-through in docs/deploy.md)
#
# Two stages. The builder has uv and the source; it installs the exact versions of
# uv.lock into /opt/venv, then the wheel built from the source. The final image has
# Python, that venv, tini as PID 1 and an unprivileged user: no source tree, no uv,
# no compiler. tests/shell/test_wheel.py proves the same install outside the tree.

# Debian 12: its postgresql-client is 15, the major of compose.yaml's server, which `grandrounds
# backup` and `restore` need (pg_dump and pg_restore, the server's major or newer).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
# The same uv as scripts/lib.sh (UV_VERSION); tests/shell/test_container.py keeps them equal.
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
WORKDIR /src
# Dependencies first, from the lock alone: this layer is rebuilt only when uv.lock changes.
COPY pyproject.toml uv.lock ./
RUN uv export --frozen --no-hashes --no-dev --no-emit-project --output-file /constraints.txt \
 && uv venv --python /usr/local/bin/python /opt/venv \
 && uv pip install --python /opt/venv/bin/python --requirements /constraints.txt
# Then the project: a wheel (templates and migrations inside), held to the same versions.
COPY . .
RUN uv build --wheel --out-dir /dist \
 && uv pip install --python /opt/venv/bin/python --constraints /constraints.txt /dist/grandrounds-*.whl

FROM ${PYTHON_IMAGE}
# tini reaps the uvicorn worker processes and passes SIGTERM on, so `docker stop` lets
# the worker finish the message it is sending (`docker run --init` would do the same).
# postgresql-client: pg_dump and pg_restore for `grandrounds backup` and `restore`.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends tini postgresql-client \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 grandrounds \
 && useradd --system --uid 10001 --gid grandrounds --home-dir /var/lib/grandrounds --create-home \
      --shell /usr/sbin/nologin grandrounds
COPY --from=builder /opt/venv /opt/venv
# var/ holds uploaded deliverables (and the mail log when no SMTP server is set): a volume in compose.yaml.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    GRANDROUNDS_VAR_DIR=/var/lib/grandrounds
WORKDIR /var/lib/grandrounds
USER grandrounds
EXPOSE 8000
# Ready means the process answers and reaches its database. Slim images have no curl;
# urlopen raises on a 503, so anything but 200 is unhealthy. A worker container has no
# HTTP server: compose.yaml turns the check off for it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('GRANDROUNDS_PORT', '8000') + '/readyz', timeout=4)"]
ENTRYPOINT ["tini", "--", "grandrounds"]
CMD ["serve", "--host", "0.0.0.0"]
