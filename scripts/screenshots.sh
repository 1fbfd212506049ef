#!/usr/bin/env bash
# Captures every console page and the member app at desktop and phone width (the browser test
# PageTourTests, in Chromium) and writes them with an index page into docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test.sh --project tests/Portier.Browser.Tests -- --filter-class '*PageTourTests'
tour=tests/Portier.Browser.Tests/bin/Debug/net10.0/screenshots/tour
rm -rf docs/screenshots
mkdir -p docs/screenshots
cp -r "$tour/desktop" "$tour/phone" docs/screenshots/
{
  echo "# Screenshots"
  echo
  echo "Every console page and the member app as \`scripts/screenshots.sh\` captured them (the browser test"
  echo "\`PageTourTests\` in Chromium, on a server with one sample site), at desktop width (1400×900) and phone"
  echo "width (390×844). Run the script again to bring them up to date."
  echo
  echo "| page | desktop | phone |"
  echo "|---|---|---|"
  awk -F'\t' '$1 == "desktop" { print $2 "\t" $3 "\t" $4 }' "$tour/index.tsv" | while IFS=$'\t' read -r title path file; do
    name=${file#desktop/}
    echo "| **$title** \`$path\` | ![$title, desktop](desktop/$name) | ![$title, phone](phone/$name) |"
  done
} > docs/screenshots/README.md
echo "docs/screenshots: $(ls docs/screenshots/desktop | wc -l) pages at two widths"
