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
# The source maps the stylesheet and script name at their end: collectstatic's manifest storage
# follows those references and fails if the files are missing.
cp "$src"/govuk-frontend.min.js "$src"/govuk-frontend.min.js.map "$src"/govuk-frontend.min.css.map "$dest"/
cp -r "$src"/assets "$dest"/assets
# The built stylesheet asks for its fonts and images at the site root (/assets/...). Pointing them
# beside the stylesheet (static/govuk/assets/) serves them wherever STATIC_URL is, and lets
# collectstatic's manifest storage fingerprint them like any other static file.
sed 's#url(/assets/#url(assets/#g' "$src"/govuk-frontend.min.css > "$dest"/govuk-frontend.min.css
if grep -q 'url(/assets/' "$dest"/govuk-frontend.min.css; then
  echo "GOV.UK Frontend stylesheet still points at /assets/" >&2
  exit 1
fi
node -p "require('govuk-frontend/package.json').version" > "$dest/.version"
echo "GOV.UK Frontend $(cat "$dest/.version") copied into $dest"
