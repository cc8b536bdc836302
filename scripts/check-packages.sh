#!/usr/bin/env bash
# Packs both packages as `npm publish` would (prepack cleans and builds), prints what each tarball holds, and
# lints the tarballs: publint --strict, and @arethetypeswrong/cli. attw's one ignored rule, cjs-resolves-to-esm,
# is the package being ESM-only: require() loads it on the Node versions `engines` allows (require(esm), Node
# ^20.19.0 || >=22.12.0), which test/package/consumers.test.ts checks on the tarballs.
# Usage: bash scripts/check-packages.sh [destination folder, default .pack/]
set -euo pipefail
cd "$(dirname "$0")/.."
dest="${1:-.pack}"
rm -rf "$dest" && mkdir -p "$dest"
for workspace in persona-webhooks persona-webhooks-server; do
  npm pack --silent --workspace "$workspace" --pack-destination "$dest" --json >"$dest/$workspace.json"
  node -e '
    const [info] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const top = {};
    for (const f of info.files) { const k = f.path.split("/")[0]; top[k] = (top[k] ?? 0) + 1; }
    console.log(`${info.filename}: ${(info.size / 1024).toFixed(1)} kB packed, ${(info.unpackedSize / 1024).toFixed(1)} kB unpacked, ${info.entryCount} files ${JSON.stringify(top)}`);
  ' "$dest/$workspace.json"
done
for tarball in "$dest"/*.tgz; do
  npx --no-install publint run --strict "$tarball"
  npx --no-install attw --ignore-rules cjs-resolves-to-esm --format table-flipped "$tarball"
done
