"""A thin Stripe wrapper: PaymentIntents with manual capture in CNY, refunds, Connect Express
accounts, account links and transfers. It maps Stripe objects to the boundary dataclasses and
Stripe errors to GatewayError, and does nothing else: the rules live in the services."""
from __future__ import annotations

import stripe

from services.payments.gateway import (CURRENCY, ConnectedAccount, GatewayError, Intent,
                                       IntentRequest, RefundResult, TransferResult)


# Payment method types confirmed server-side; neither supports capture_method=manual at Stripe.
WALLETS = ("alipay", "wechat_pay")


def _next_action(action) -> dict | None:
    """The provider's next action reduced to what a client needs (plain data, no Stripe objects)."""
    if not action:
        return None
    kind = getattr(action, "type", None) or (action.get("type") if isinstance(action, dict) else None)
    detail = getattr(action, kind, None) if kind else None
    keep = {"alipay_handle_redirect": ("url", "return_url"),
            "wechat_pay_display_qr_code": ("data", "image_data_url", "hosted_instructions_url"),
            "redirect_to_url": ("url", "return_url")}.get(kind, ())
    return {"type": kind, **{k: getattr(detail, k, None) for k in keep}} if keep else None


class StripeGateway:
    name = "stripe"
    method = "card"
    holds_funds = True

    def __init__(self, api_key: str, *, api_base: str | None = None, timeout: float = 10.0,
                 max_network_retries: int = 1):
        bases = {"api": api_base, "connect": api_base, "files": api_base} if api_base else None
        # Retries are safe because every mutating call below carries an idempotency key.
        self.timeout = (min(timeout, 5.0), timeout)   # (connect, read) seconds
        self.client = stripe.StripeClient(
            api_key, base_addresses=bases, max_network_retries=max_network_retries,
            http_client=stripe.RequestsClient(timeout=self.timeout))
        self.v1 = self.client.v1

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except stripe.CardError as e:
            raise GatewayError(e.user_message or "card declined", code=e.code or "card_declined",
                               declined=True) from None
        except stripe.StripeError as e:
            raise GatewayError(f"stripe: {type(e).__name__}", code=getattr(e, "code", None) or "stripe_error") from None

    @staticmethod
    def _intent(pi) -> Intent:
        def field(name):
            return getattr(pi, name, None)
        charge = field("latest_charge")
        action = field("next_action")
        return Intent(next_action=_next_action(action),
                      id=pi.id, status=pi.status, amount_fen=int(field("amount") or 0),
                      client_secret=field("client_secret"),
                      amount_capturable_fen=int(field("amount_capturable") or 0),
                      amount_received_fen=int(field("amount_received") or 0),
                      charge_id=charge if isinstance(charge, str) or charge is None else charge.id)

    def create_intent(self, req: IntentRequest) -> Intent:
        params = {
            "amount": req.amount_fen, "currency": CURRENCY, "capture_method": req.capture_method,
            "payment_method_types": [req.method],
            "description": req.description[:200] or f"order {req.order_id}",
            # Separate charges and transfers: the seller's transfer carries the same group.
            "transfer_group": req.order_id,
            "metadata": {"order_id": req.order_id, **req.metadata},
        }
        if req.method in WALLETS:
            # Wallets are confirmed here so the answer carries the redirect URL or the QR code
            # the buyer needs; a card is confirmed by the buyer with the client secret (Stripe.js).
            params.update(confirm=True, payment_method_data={"type": req.method})
            if req.method == "wechat_pay":
                params["payment_method_options"] = {"wechat_pay": {"client": "web"}}
            if req.return_url:
                params["return_url"] = req.return_url
        pi = self._call(self.v1.payment_intents.create, params=params,
                        options={"idempotency_key": req.idempotency_key})
        return self._intent(pi)

    def update_amount(self, intent_id: str, amount_fen: int, *, idempotency_key: str) -> Intent:
        # Stripe accepts a new amount only before the buyer confirms; later it answers
        # payment_intent_unexpected_state (a GatewayError with that code).
        pi = self._call(self.v1.payment_intents.update, intent_id, params={"amount": amount_fen},
                        options={"idempotency_key": idempotency_key})
        return self._intent(pi)

    def retrieve_intent(self, intent_id: str) -> Intent:
        return self._intent(self._call(self.v1.payment_intents.retrieve, intent_id))

    def capture(self, intent_id: str, amount_fen: int, *, idempotency_key: str) -> Intent:
        pi = self._call(self.v1.payment_intents.capture, intent_id,
                        params={"amount_to_capture": amount_fen},
                        options={"idempotency_key": idempotency_key})
        return self._intent(pi)

    def cancel(self, intent_id: str, *, idempotency_key: str) -> Intent:
        pi = self._call(self.v1.payment_intents.cancel, intent_id,
                        params={"cancellation_reason": "requested_by_customer"},
                        options={"idempotency_key": idempotency_key})
        return self._intent(pi)

    def refund(self, intent_id: str, amount_fen: int, reason: str, *, idempotency_key: str) -> RefundResult:
        r = self._call(self.v1.refunds.create, params={
            "payment_intent": intent_id, "amount": amount_fen, "reason": "requested_by_customer",
            "metadata": {"reason": reason[:450]},
        }, options={"idempotency_key": idempotency_key})
        return RefundResult(id=r.id, amount_fen=int(r.amount), status=r.status or "pending")

    def create_account(self, owner_ref: str, email: str | None, *, idempotency_key: str) -> ConnectedAccount:
        params = {"type": "express", "capabilities": {"transfers": {"requested": True}},
                  "metadata": {"owner": owner_ref}}
        if email:
            params["email"] = email
        a = self._call(self.v1.accounts.create, params=params, options={"idempotency_key": idempotency_key})
        return ConnectedAccount(id=a.id, charges_enabled=bool(a.charges_enabled),
                                payouts_enabled=bool(a.payouts_enabled),
                                details_submitted=bool(a.details_submitted))

    def account_link(self, account_id: str, *, refresh_url: str, return_url: str, idempotency_key: str) -> str:
        link = self._call(self.v1.account_links.create, params={
            "account": account_id, "refresh_url": refresh_url, "return_url": return_url,
            "type": "account_onboarding"}, options={"idempotency_key": idempotency_key})
        return link.url

    def transfer(self, account_id: str, amount_fen: int, *, order_id: str, charge_id: str | None,
                 idempotency_key: str) -> TransferResult:
        params = {"amount": amount_fen, "currency": CURRENCY, "destination": account_id,
                  "transfer_group": order_id, "metadata": {"order_id": order_id}}
        if charge_id:
            # Ties the transfer to the captured charge, so it waits for those funds to settle.
            params["source_transaction"] = charge_id
        t = self._call(self.v1.transfers.create, params=params, options={"idempotency_key": idempotency_key})
        return TransferResult(id=t.id, amount_fen=int(t.amount))

    def reverse_transfer(self, transfer_id: str, amount_fen: int, *, idempotency_key: str) -> TransferResult:
        r = self._call(self.v1.transfers.reversals.create, transfer_id, params={"amount": amount_fen},
                       options={"idempotency_key": idempotency_key})
        return TransferResult(id=r.id, amount_fen=int(r.amount))
