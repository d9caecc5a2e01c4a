"""The baseline for bench/subsidies_http.py: a bare Flask endpoint that reads the same JSON body
and answers a quote-shaped JSON of the same size, with no validation and no rules."""
from flask import Flask, jsonify, request

app = Flask(__name__)
app.json.ensure_ascii = False
ANSWER = {"eligible": True, "total_fen": 60000, "lines": [{
    "programme": "CN-2025-appliance", "rule": "grade-1", "code": "RATE", "amount_fen": 60000, "basis_fen": 300000,
    "explanation": {"zh": "2025年家电以旧换新(全国)（一级能效/水效）：按3,000元的20%补贴600元",
                    "en": "2025 national appliance trade-in (grade 1): 20% of CNY 3,000 = CNY 600"}}],
    "ineligible": []}


@app.post("/bare/quote")
def quote():
    body = request.get_json()
    return jsonify({**ANSWER, "region": body["region"]})
