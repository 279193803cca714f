#!/usr/bin/env bash
# Save the Partner Center REST API responses `checker import partner-center` reads into
# EXPORT_DIR, unchanged (the importer recognises them by content and takes each
# per-customer response's customer from its links.self.uri).
#
#   PC_TOKEN=$(az account get-access-token --resource https://api.partnercenter.microsoft.com \
#       --query accessToken -o tsv) EXPORT_DIR=exports ./save-exports.sh
#
# Environment:
#   PC_TOKEN       bearer token for the Partner Center API (App+User; read from the
#                  environment only, never printed)
#   EXPORT_DIR     folder to write (default: exports)
#   PC_BASE_URL    API root (default: https://api.partnercenter.microsoft.com)
#   AUDIT_DAYS     days of audit records to save, at most 30 a request (default: 30)
#   PAGE_SIZE      customers per page (default: 500)
#
# Needs bash, curl and python3 (which checker needs anyway) to read continuation links.
set -euo pipefail

: "${PC_TOKEN:?set PC_TOKEN to a Partner Center API bearer token}"
EXPORT_DIR=${EXPORT_DIR:-exports}
PC_BASE_URL=${PC_BASE_URL:-https://api.partnercenter.microsoft.com}
AUDIT_DAYS=${AUDIT_DAYS:-30}
PAGE_SIZE=${PAGE_SIZE:-500}
PC_BASE_URL=${PC_BASE_URL%/}

mkdir -p "$EXPORT_DIR"

# get URL OUTPUT [HEADER...]: save one response; a 404 (no usage summary for a customer
# without Azure) is no file; any other failure stops the script.
get() {
  local url=$1 out=$2 code
  shift 2
  local headers=(-H "Authorization: Bearer $PC_TOKEN" -H "Accept: application/json")
  for header in "$@"; do headers+=(-H "$header"); done
  mkdir -p "$(dirname "$out")"
  code=$(curl -sS -o "$out.part" -w '%{http_code}' "${headers[@]}" "$url")
  if [[ $code == 404 ]]; then
    rm -f "$out.part"
    return 0
  fi
  if [[ $code != 2* ]]; then
    echo "save-exports: GET $url answered HTTP $code" >&2
    rm -f "$out.part"
    return 1
  fi
  mv "$out.part" "$out"
}

# next_page FILE: "URI<TAB>CONTINUATION-TOKEN" of a saved page's links.next, or nothing.
next_page() {
  python3 - "$1" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8-sig") as handle:
    page = json.load(handle)
links = {k.lower(): v for k, v in (page.get("links") or page.get("Links") or {}).items()}
nxt = {k.lower(): v for k, v in (links.get("next") or {}).items()}
if nxt.get("uri"):
    token = next((h.get("value") for h in nxt.get("headers") or []
                  if str(h.get("key", "")).lower() == "ms-continuationtoken"), "")
    print(f"{nxt['uri']}\t{token or ''}")
PY
}

# customer_ids FILE: the ids of a saved customers page, one a line.
customer_ids() {
  python3 - "$1" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8-sig") as handle:
    page = json.load(handle)
for item in page.get("items") or page.get("Items") or []:
    print(item.get("id") or item.get("Id"))
PY
}

# absolute URI: a next link is relative to the API's /v1 root.
absolute() {
  case $1 in
    http://*|https://*) echo "$1" ;;
    /v1/*) echo "$PC_BASE_URL$1" ;;
    /*) echo "$PC_BASE_URL/v1$1" ;;
    *) echo "$PC_BASE_URL/v1/$1" ;;
  esac
}

# paged URL PREFIX: save every page of a collection as PREFIX-0001.json, PREFIX-0002.json...
paged() {
  local url=$1 prefix=$2 n=1 token="" next
  local out
  while :; do
    out=$(printf '%s-%04d.json' "$prefix" "$n")
    if [[ -n $token ]]; then
      get "$url" "$out" "MS-ContinuationToken: $token"
    else
      get "$url" "$out"
    fi
    [[ -f $out ]] || break
    next=$(next_page "$out")
    [[ -n $next ]] || break
    url=$(absolute "${next%%$'\t'*}")
    token=${next#*$'\t'}
    n=$((n + 1))
  done
}

paged "$PC_BASE_URL/v1/customers?size=$PAGE_SIZE" "$EXPORT_DIR/customers"

for page in "$EXPORT_DIR"/customers-*.json; do
  while read -r id; do
    [[ -n $id ]] || continue
    get "$PC_BASE_URL/v1/customers/$id/subscriptions" "$EXPORT_DIR/customers/$id/subscriptions.json"
    get "$PC_BASE_URL/v1/customers/$id/servicerequests" "$EXPORT_DIR/customers/$id/servicerequests.json"
    get "$PC_BASE_URL/v1/customers/$id/usagesummary" "$EXPORT_DIR/customers/$id/usagesummary.json"
  done < <(customer_ids "$page")
done

get "$PC_BASE_URL/v1/fraudEvents" "$EXPORT_DIR/fraud-events.json" "X-NewEventsModel: true"
get "$PC_BASE_URL/v1/invoices" "$EXPORT_DIR/invoices.json"
start=$(python3 -c "import datetime as d, sys; print((d.datetime.now(d.UTC) - d.timedelta(days=int(sys.argv[1]))).strftime('%Y-%m-%d'))" "$AUDIT_DAYS")
paged "$PC_BASE_URL/v1/auditrecords?startDate=$start" "$EXPORT_DIR/audit-records"

echo "save-exports: saved $(find "$EXPORT_DIR" -name '*.json' | wc -l) responses into $EXPORT_DIR" >&2
