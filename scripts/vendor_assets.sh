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
rm -rf package
npm pack date-fns@4.4.0 --silent >/dev/null
tar xzf date-fns-4.4.0.tgz
# the Chinese locale for Dash's date pickers (window.dateFns.locale.zhCN), without its console note
sed 's#,console.log(`date-fns CDN files have moved to @date-fns/cdn. Please update your URLs. See: https://date-fns.org/docs/CDN`)##' \
  package/locale/zh-CN/cdn.min.js > "$here/assets/vendor/date-fns-4.4.0-zh-CN.min.js"
cp package/LICENSE.md "$here/assets/vendor/date-fns-LICENSE.md"
echo "assets/vendor/date-fns-4.4.0-zh-CN.min.js updated"
