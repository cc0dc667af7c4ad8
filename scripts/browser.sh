#!/usr/bin/env bash
# The browser tests (tests/web) drive Debian's Chromium through Playwright; Playwright's own
# browser download is never used. Installs the `chromium` package where this machine allows
# it (root, or password-less sudo, and apt-get); otherwise says what is missing. The tests then
# fail with the same message rather than being skipped.
set -euo pipefail
CHROMIUM="${NEWSWATCH_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        SUDO=""
    elif sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        SUDO="none"
    fi
    if [ "$SUDO" != none ]; then
        echo "browser.sh: installing Debian's chromium for the browser tests" >&2
        $SUDO apt-get install -y -q chromium >/dev/null 2>&1 \
            || { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q chromium >/dev/null; }
        [ -x "$CHROMIUM" ] && exit 0
    fi
fi
echo "browser.sh: $CHROMIUM is missing and could not be installed here;" \
     "install Debian's 'chromium' package (or set NEWSWATCH_CHROMIUM to a Chromium binary):" \
     "the browser tests in tests/web will fail until then" >&2
