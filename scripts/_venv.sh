# Sourced by scripts/run and scripts/test: make .venv and install a requirements file into it.
# pip runs only when the requirements changed since the last install (a hash in a stamp file).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3 python; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "Switchboard needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2
    return 1
}

ensure_venv() {
    local requirements="$1" python stamp wanted
    if [ ! -x "$VENV/bin/python" ]; then
        python="$(find_python)"
        echo "Creating $VENV with $python"
        "$python" -m venv "$VENV"
    fi
    # requirements-dev.txt includes requirements.txt (-r), so both files feed the hash.
    wanted="$(cat "$ROOT/$requirements" "$ROOT/requirements.txt" | sha256sum | cut -d' ' -f1)"
    stamp="$VENV/.installed-${requirements%.txt}"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        echo "Installing $requirements into .venv"
        "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$ROOT/$requirements"
        echo "$wanted" >"$stamp"
    fi
    export PATH="$VENV/bin:$PATH"
}
