#!/bin/sh
# Trunk post_build hook (Trunk.toml): writes the <coc-execution> loader and
# its TypeScript declaration next to the console's hashed files, so a portal
# includes one stable URL (coc-execution.js) that loads the same wasm, glue
# and stylesheet as the console. Fails the build if a file is not found
# exactly once, rather than shipping a loader that points nowhere.
set -eu
out="${TRUNK_STAGING_DIR:?this script is run by trunk build}"
src="${TRUNK_SOURCE_DIR:-.}/web/element"

one() {
  pattern="$1"
  set -- "$out"/$pattern
  if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then
    echo "web/element/build.sh: expected exactly one $pattern in $out, found: $*" >&2
    exit 1
  fi
  basename "$1"
}

glue=$(one 'coc-console-*.js')
wasm=$(one 'coc-console-*_bg.wasm')
css=$(one 'console-*.css')

# Full-line comments and indentation go: the loader counts against the
# console's size budget.
sed -e '/^[[:space:]]*\/\//d' -e 's/^[[:space:]]*//' \
  -e "s|@GLUE@|$glue|" -e "s|@WASM@|$wasm|" -e "s|@CSS@|$css|" \
  "$src/coc-execution.js" > "$out/coc-execution.js"
if grep -q '@[A-Z]*@' "$out/coc-execution.js"; then
  echo "web/element/build.sh: a placeholder was left in coc-execution.js" >&2
  exit 1
fi
cp "$src/coc-execution.d.ts" "$out/coc-execution.d.ts"
