#!/usr/bin/env bash
# Captures the CLI's and the API's answers for Q1–Q3 into DIR, to compare before and after a refactor:
#   scripts/golden.sh /tmp/golden-before && (refactor) && scripts/golden.sh /tmp/golden-after && diff -r /tmp/golden-before /tmp/golden-after
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/golden.sh DIR}
mkdir -p "$out"
cli() { node --conditions=@chainrule/source --import tsx apps/cli/src/main.ts "$@"; }
for q in q1 q2 q3 all; do
  for f in text md latex json; do cli solve $q --format $f > "$out/solve-$q.$f" 2>&1 || echo "exit $?" >> "$out/solve-$q.$f"; done
done
cli solve q3 --round 2 --format md > "$out/solve-q3-round2.md" 2>&1
cli solve q3 --round 3 --decimals 4 --format text > "$out/solve-q3-r3d4.text" 2>&1
Q3=packages/assignment9/src/networks/q3.json
for f in json dot mermaid tikz svg; do cli graph $Q3 --gradients --format $f > "$out/graph-q3-grad.$f" 2>&1 || true; cli graph $Q3 --simplify --format $f > "$out/graph-q3-simpl.$f" 2>&1 || true; done
cli backprop $Q3 --round 2 > "$out/backprop-q3.text" 2>&1 || true
cli backprop $Q3 --format json > "$out/backprop-q3.json" 2>&1 || true
rm -rf "$out/sheet"; cli solve all --out "$out/sheet" > /dev/null 2>&1 || true
# API answers, in process through app.request
node --conditions=@chainrule/source --import tsx -e '
import { createApp } from "./apps/api/src/app.ts";
import { readFileSync, writeFileSync } from "node:fs";
const app = createApp();
const q3 = JSON.parse(readFileSync("packages/assignment9/src/networks/q3.json", "utf8"));
const out = process.argv[1];
const calls = [
  ["GET", "/v1/solutions/q1"], ["GET", "/v1/solutions/q2"], ["GET", "/v1/solutions/q3"],
  ["GET", "/v1/solutions/q3?format=md"], ["GET", "/v1/solutions/q3?format=latex"], ["GET", "/v1/solutions/q2?format=text"],
  ["POST", "/v1/backprop", q3], ["POST", "/v1/graph?gradients=true&format=dot", q3], ["POST", "/v1/graph?format=json", q3],
  ["POST", "/v1/gradcheck", q3],
];
let i = 0;
for (const [method, url, body] of calls) {
  const res = await app.request(url, body ? { method, body: JSON.stringify(body), headers: { "content-type": "application/json" } } : { method });
  let text = await res.text();
  if (url.includes("gradcheck")) text = text.replace(/"(seconds|ms|elapsed\w*)":[0-9.e-]+/g, "\"$1\":0");
  writeFileSync(`${out}/api-${String(i++).padStart(2, "0")}-${method}-${url.replace(/[^a-z0-9]+/gi, "_")}.txt`, `${res.status}\n${text}`);
}
process.exit(0);
' "$out"
