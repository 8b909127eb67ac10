#!/usr/bin/env bash
# Installs the GOV.UK Frontend release pinned in package.json and copies its built assets into
# static/govuk/ (git-ignored), where templates/base.html and crispy-forms-gds expect them.
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund --silent
src=node_modules/govuk-frontend/dist/govuk
dest=static/govuk
rm -rf "$dest"
mkdir -p "$dest"
cp "$src"/govuk-frontend.min.css "$src"/govuk-frontend.min.js "$dest"/
cp -r "$src"/assets "$dest"/assets
node -p "require('govuk-frontend/package.json').version" > "$dest/.version"
echo "GOV.UK Frontend $(cat "$dest/.version") copied into $dest"
