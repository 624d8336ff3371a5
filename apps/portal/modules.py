"""The portal's modules, in the order of the operations guide (user center navigation)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Module:
    key: str
    title: str
    icon: str
    url_name: str
    summary: str
    routes: tuple[str, ...] = ()  # route names (prefixes) of pages inside this module
    # The module's screens as the operations guide names them (title, route name), shown under it.
    links: tuple[tuple[str, str], ...] = ()


MODULES: tuple[Module, ...] = (
    Module(
        "products",
        "Products",
        "tags",
        "catalog:product-list",
        "Your SKUs and UPCs: create them one by one or in batch, print barcode labels.",
        routes=("catalog:",),
    ),
    Module(
        "inventory",
        "Inventory",
        "boxes",
        "inventory:list",
        "Stock per warehouse, inbound reservations, damage/gain slips and sold-out items.",
        routes=("inventory:", "inbound:"),
        links=(
            ("Inventory List", "inventory:list"),
            ("Inbound Order", "inbound:list"),
            ("Add Reservation Inbound", "inbound:create"),
            ("Damage/Gain Slip", "inbound:slip-list"),
        ),
    ),
    Module(
        "orders",
        "Orders",
        "cart-check",
        "orders:list",
        "Orders from your shops, typed by hand or uploaded in Excel; submit, track and export.",
        routes=("orders:",),
    ),
    Module(
        "bills",
        "Bills",
        "wallet2",
        "billing:wallet",
        "Top up your prepaid wallet, see recharge and transaction records and storage fees.",
        routes=("billing:",),
    ),
    Module(
        "integration",
        "Integration",
        "plug",
        "accounts:api-keys",
        "Connect Shopify, WooCommerce or eBay, make API keys for your own systems, see your warehouses "
        "and how orders are allocated to them.",
        routes=("accounts:api-key", "portal:settings", "integrations:"),
    ),
    Module(
        "tracking",
        "Tracking",
        "geo-alt",
        "portal:tracking",
        "Track parcels by system order number or tracking number (up to 40 at once).",
        routes=("portal:tracking",),
    ),
    # Support (tickets) joins the list when its screens are built: a module that leads nowhere is not shown.
)


def active_module_key(resolver_match) -> str | None:
    """The module a portal page belongs to, for the navigation's highlight."""
    if resolver_match is None:
        return None
    for m in MODULES:
        if m.routes and resolver_match.view_name.startswith(m.routes):
            return m.key
    return None


def module(key: str) -> Module | None:
    return next((m for m in MODULES if m.key == key), None)
