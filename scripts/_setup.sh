# Shared set-up for ./scripts/run and ./scripts/test (sourced, not run): a virtualenv with the project,
# and GOV.UK Frontend from the pinned npm package. Each step is skipped when nothing it depends on changed.

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "error: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

setup_python() {  # $1: extras, e.g. "[dev]" or ""
  local extras="$1" stamp=".venv/.installed" want
  want="$(cat pyproject.toml | sha256sum | cut -c1-16)$extras"
  if [ ! -x .venv/bin/python ]; then
    local python; python="$(find_python)"
    echo "==> creating .venv with $python"
    "$python" -m venv .venv
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "==> installing the project$extras into .venv"
    .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
    .venv/bin/python -m pip install --quiet -e ".$extras"
    echo "$want" > "$stamp"
  fi
}

setup_assets() {
  local stamp="node_modules/.installed" want
  want="$(sha256sum package.json package-lock.json | sha256sum | cut -c1-16)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -f node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "error: npm is needed to install GOV.UK Frontend (apt-get install -y npm, or install Node.js 18+)" >&2
      return 1
    fi
    echo "==> installing front-end assets (GOV.UK Frontend)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
}
