#!/usr/bin/env bash
# The OpenAI-compatible adapter against a local HTTP server that checks what it receives
# (method, path, headers, JSON body) and replies like the real chat-completions API.
source "$(dirname "$0")/lib.sh"
adapter="$BI_SOURCE/scripts/fallback-openai"
key="sk-test-$(date +%s)-secret"
port_file="$BI_TMP/port"
cat > "$BI_TMP/server.py" <<'PY'
import http.server, json, sys, threading
expected_key, port_file, log_file = sys.argv[1], sys.argv[2], sys.argv[3]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        problems = []
        if self.path != "/v1/chat/completions": problems.append("path " + self.path)
        if self.headers.get("Authorization") != "Bearer " + expected_key: problems.append("auth")
        if not self.headers.get("Content-Type", "").startswith("application/json"): problems.append("content-type")
        try:
            req = json.loads(body)
            if req.get("model") != "test-model": problems.append("model")
            msgs = req.get("messages", [])
            if [m.get("role") for m in msgs] != ["system", "user"]: problems.append("messages")
            if "average msrp" not in msgs[1]["content"]: problems.append("question missing")
        except Exception as e:
            problems.append("json " + str(e))
        with open(log_file, "a") as f: f.write(json.dumps({"method": self.command, "problems": problems}) + "\n")
        if problems:
            self.send_response(400); self.end_headers(); self.wfile.write(json.dumps({"error": problems}).encode()); return
        reply = {"id": "x", "object": "chat.completion", "model": "test-model",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content":
                     "```json\n{\"sql\": \"SELECT segment, COUNT(*) AS models FROM models GROUP BY segment ORDER BY models DESC\"}\n```"},
                     "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 321, "completion_tokens": 45, "total_tokens": 366}}
        data = json.dumps(reply).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def log_message(self, *a): pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
open(port_file, "w").write(str(server.server_address[1]))
threading.Timer(60, server.shutdown).start()
server.serve_forever()
PY
python3 "$BI_TMP/server.py" "$key" "$port_file" "$BI_TMP/requests.log" &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
port=$(cat "$port_file")
export BI_LLM_BASE_URL="http://127.0.0.1:$port/v1" BI_LLM_MODEL=test-model BI_LLM_API_KEY="$key"

run "$BI_BIN/bi-ask" --database "$BI_TEST_DB" --dumps-dir "$BI_TEST_DUMPS" --queries-dir "$BI_SOURCE/queries" \
    --log-dir "$BI_TMP/logs" --fallback "$adapter" "average msrp by vehicle segment"
expect_status "bi-ask answers through the adapter" 0
[ "$(jq -r .source <<<"$out")" = fallback ] && pass "source is fallback" || fail "source is fallback" "$out $err"
[ "$(jq -r .tokens <<<"$out")" = 366 ] && pass "the API's usage is counted" || fail "the API's usage is counted" "$out"
[ "$(jq '.data | length' <<<"$out")" -gt 0 ] && pass "the model's SQL ran" || fail "the model's SQL ran"
[ "$(jq -s 'map(select(.method == "POST" and (.problems | length) == 0)) | length' "$BI_TMP/requests.log")" = 1 ] \
  && pass "the server saw one well-formed request" || fail "the server saw one well-formed request" "$(cat "$BI_TMP/requests.log")"
case "$out$err$(cat "$BI_TMP/logs/"* 2>/dev/null)" in *"$key"*) fail "the key is never printed or logged" ;; *) pass "the key is never printed or logged" ;; esac

BI_LLM_API_KEY=wrong run "$BI_BIN/bi-ask" --database "$BI_TEST_DB" --dumps-dir "$BI_TEST_DUMPS" --log-dir "$BI_TMP/logs" \
    --fallback "$adapter" "average msrp by vehicle segment"
expect_status "an HTTP error is a failed fallback (7)" 7
case "$err" in *wrong*) fail "a rejected key is not echoed" ;; *) pass "a rejected key is not echoed" ;; esac

finish
