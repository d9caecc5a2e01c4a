"""No outside call under a lock (issue 19, docs/RELIABILITY.md): a domain transaction records a
payment operation and services/payments/relay.py makes the call after commit. This walks
services/ with `ast` and fails on any call of a payment-gateway method made elsewhere, so a new
Stripe call inside a transaction fails CI instead of holding row locks while Stripe answers."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"

# The methods of services.payments.gateway.PaymentGateway that reach the provider.
GATEWAY_METHODS = {"create_intent", "update_amount", "retrieve_intent", "capture", "cancel", "refund",
                   "create_account", "account_link", "transfer", "reverse_transfer"}

# Modules whose calls are made with no transaction open, by construction.
SENDERS = {"services/payments/effects.py", "services/payments/relay.py"}

# "path:function" -> why it still calls the gateway itself. Shrink it; never grow it for an
# order or payment flow.
STILL_DIRECT: dict[str, str] = {
    "services/payments/service.py:onboard": "seller onboarding: creates the Connect account, no order row locked",
}


def _receiver(node: ast.expr) -> str:
    """The dotted text of what a method is called on (`gateway`, `self.gateway`, `deps.gateway`)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_receiver(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return _receiver(node.func) + "()"
    return ""


def gateway_calls(path: Path) -> list[tuple[str, int, str]]:
    """(enclosing function, line, method) of each call `<…gateway…>.<method>(...)` in the file."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found = []

    def visit(node: ast.AST, func: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and func == "" else func
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) \
                    and child.func.attr in GATEWAY_METHODS and "gateway" in _receiver(child.func.value).lower():
                found.append((inner or "<module>", child.lineno, child.func.attr))
            visit(child, inner)
    visit(tree, "")
    return found


def _all_calls() -> dict[str, list[tuple[int, str]]]:
    calls: dict[str, list[tuple[int, str]]] = {}
    for path in sorted(SERVICES.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for func, line, method in gateway_calls(path):
            calls.setdefault(f"{rel}:{func}", []).append((line, method))
    return calls


def test_services_call_the_gateway_only_from_the_relay():
    bad = [f"{where} line {line}: gateway.{method}(...)"
           for where, found in _all_calls().items() for line, method in found
           if where.split(":")[0] not in SENDERS and where not in STILL_DIRECT]
    assert not bad, ("record a payment operation (services/payments/operations.py) instead of calling "
                     "the gateway inside the transaction: " + "; ".join(bad))


def test_the_exceptions_still_exist():
    """An entry whose call moved to the relay is removed, so the list only ever shrinks."""
    stale = sorted(set(STILL_DIRECT) - set(_all_calls()))
    assert not stale, f"no gateway call left in {stale}: remove them from STILL_DIRECT"


def test_the_check_sees_a_call_under_a_lock(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def cancel(session, order, deps):\n"
                     "    lock(session, order)\n"
                     "    deps.gateway.cancel(order.intent_id, idempotency_key='k')\n"
                     "    self.gateway.transfer('acct', 1)\n", "utf-8")
    assert [(f, m) for f, _, m in gateway_calls(probe)] == [("cancel", "cancel"), ("cancel", "transfer")]
