#!/usr/bin/env bash
# Re-vendors the front-end files under assets/vendor from the npm registry.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack bootstrap@5.3.9 --silent >/dev/null
tar xzf bootstrap-5.3.9.tgz
sed 's#/\*\# sourceMappingURL=bootstrap.min.css.map \*/##' package/dist/css/bootstrap.min.css > "$here/assets/vendor/bootstrap.min.css"
echo "assets/vendor/bootstrap.min.css updated"
