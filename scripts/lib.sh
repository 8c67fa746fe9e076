# Shared by scripts/demo and scripts/test: make .venv and install the project into it.
# Idempotent: a second run only checks that everything is there.

ensure_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      PYTHON=$(command -v "$candidate")
      return 0
    fi
  done
  echo "grandrounds needs Python 3.11 or newer; none found on PATH." >&2
  exit 1
}

# The exact versions come from uv.lock (resolved by `uv lock`, checked in), so every install,
# a developer's, CI's or the container's, gets the same packages. uv itself is pinned here.
UV_VERSION=0.13.9

ensure_venv() {
  local extras="$1"
  ensure_python
  if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $PYTHON"
    "$PYTHON" -m venv .venv
  fi
  local stamp=".venv/.installed${extras:+-$extras}"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ uv.lock -nt "$stamp" ]; then
    echo "==> installing grandrounds${extras:+ with [$extras]} into .venv from uv.lock"
    if [ "$(.venv/bin/python -m uv --version 2>/dev/null)" != "uv $UV_VERSION" ]; then
      .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION" >.venv/install.log 2>&1 ||
        { cat .venv/install.log >&2; exit 1; }
    fi
    # --locked: refuse a lock that no longer matches pyproject.toml (run `uv lock` after changing it);
    # --inexact: keep pip and uv themselves in the environment; --compile-bytecode: every process
    # (the server, workers and commands the tests start) imports compiled modules instead of
    # compiling them again, which matters where PYTHONDONTWRITEBYTECODE is set.
    if ! UV_PROJECT_ENVIRONMENT=.venv .venv/bin/python -m uv sync --quiet --locked --inexact --compile-bytecode \
      --python .venv/bin/python ${extras:+--extra "$extras"} >>.venv/install.log 2>&1; then
      cat .venv/install.log >&2
      exit 1
    fi
    touch "$stamp"
  fi
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  echo "==> installing Debian packages: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Compile the project's own modules (an editable install is not compiled by uv): quick when
# nothing changed, and it halves the start of every process a test or the demo starts.
compile_sources() {
  .venv/bin/python -m compileall -q -j 0 grandrounds accounts events programs billing notifications \
    library directory records >/dev/null
}
