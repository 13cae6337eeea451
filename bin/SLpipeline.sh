#!/bin/sh
# Launcher for the LMT spectral-line toolkit: bin/<tool> runs cmd/<tool>.ts with the project's Deno.
# Put this folder on PATH (export PATH=/path/to/checkout/bin:$PATH) to call the tools from anywhere.
self=$(readlink -f "$0")
root=$(dirname "$(dirname "$self")")
tool=$(basename "$0" .sh)   # SLpipeline.sh runs cmd/SLpipeline.ts
deno="$root/node_modules/deno/deno"
[ -x "$deno" ] || deno="$root/node_modules/.bin/deno"
if [ ! -x "$deno" ]; then
  echo "$tool: Deno is not installed in $root (run 'npm ci' there first)" >&2
  exit 1
fi
if [ ! -f "$root/cmd/$tool.ts" ]; then
  echo "$tool: not implemented yet in this version of the toolkit" >&2
  exit 1
fi
exec "$deno" run -A --quiet --no-lock --config "$root/deno.json" "$root/cmd/$tool.ts" "$@"
