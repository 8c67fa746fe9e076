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

ensure_venv() {
  local extras="$1"
  ensure_python
  if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $PYTHON"
    "$PYTHON" -m venv .venv
  fi
  local stamp=".venv/.installed${extras:+-$extras}"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "==> installing grandrounds${extras:+ with [$extras]} into .venv"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    # Build-tool chatter goes to a log; a failed install still prints it.
    if ! .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}" \
      >.venv/install.log 2>&1; then
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
