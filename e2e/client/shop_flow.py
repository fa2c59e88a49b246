"""The shop's flow through a client generated from Kept's OpenAPI document by
openapi-python-client: the order goes in (backend API), the customer agrees (customer API), the
agreement is read back (backend API). Proves the document is usable by a generator, not only
valid. Usage: shop_flow.py SERVER_URL BACKEND_KEY (the generated package `kept_client` on the path).
"""

import sys

from kept_client import AuthenticatedClient
from kept_client.api.backend import create_or_update_order, get_agreed_order, list_changed_orders
from kept_client.api.customer import get_order, submit_preferences
from kept_client.models import BackendOrder, BackendOrderDetail, BackendOrderSaved, OrderView, Preferences, Receipt


def main(url: str, key: str) -> None:
    shop = AuthenticatedClient(base_url=url, token=key, raise_on_unexpected_status=True)
    order = BackendOrder.from_dict({
        "items": [
            {"id": "coffee-1", "name": "Ethiopia Yirgacheffe, 250 g", "quantity": 1,
             "unit_price": {"amount_minor": 4900, "currency": "PLN"}},
            {"id": "coffee-2", "name": "Kenya AA, 250 g", "quantity": 2,
             "unit_price": {"amount_minor": 5900, "currency": "PLN"}},
        ],
        "locale": "pl",
    })
    saved = create_or_update_order.sync("CLIENT-1", client=shop, body=order)
    assert isinstance(saved, BackendOrderSaved), saved
    token = saved.customer_token
    assert token, "a new order answers its customer token"

    customer = AuthenticatedClient(base_url=url, token=token, raise_on_unexpected_status=True)
    view = get_order.sync("CLIENT-1", client=customer)
    assert isinstance(view, OrderView) and len(view.items) == 2, view
    preferences = Preferences.from_dict({
        "contact": {"channels": ["chat", "email"], "do_not_call": True, "email": "anna@example.pl"},
        "substitutions": {"default": {"rule": "remove"}},
        "payment": "card_on_delivery",
        "locale": "pl",
    })
    receipt = submit_preferences.sync("CLIENT-1", client=customer, body=preferences, idempotency_key="agree-1")
    assert isinstance(receipt, Receipt) and receipt.version == 1, receipt

    detail = get_agreed_order.sync("CLIENT-1", client=shop)
    assert isinstance(detail, BackendOrderDetail), detail
    agreed = detail.versions[0].preferences
    assert agreed.contact.do_not_call is True, agreed
    assert agreed.payment == "card_on_delivery", agreed.payment
    changed = list_changed_orders.sync(client=shop, after=0)
    assert any(o.id == "CLIENT-1" for o in changed.orders), changed
    print("the shop flow went through the generated client: order in, agreement, read back")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
