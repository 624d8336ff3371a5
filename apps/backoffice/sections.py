"""The back office's sections: what each role sees in its navigation and on its dashboard.

A section is shown to a user who holds its permission; the view behind it requires the same
permission, so the menu and the access rule cannot drift apart.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    permission: str
    url_name: str
    icon: str
    summary: str
    duties: tuple[str, ...] = field(default_factory=tuple)
    routes: tuple[str, ...] = ()  # other route names (prefixes) that belong to this section


SECTIONS: tuple[Section, ...] = (
    Section(
        "customers",
        "Customers",
        "accounts.view_customer",
        "backoffice:customer-list",
        "people",
        "Customer accounts, levels and their representatives.",
        routes=("backoffice:customer-",),
    ),
    Section(
        "products",
        "Products",
        "catalog.view_product",
        "backoffice:product-list",
        "tags",
        "Every customer's SKUs; the warehouse records measured sizes and weights.",
        routes=("backoffice:product-",),
    ),
    Section(
        "inventory",
        "Inventory",
        "inventory.view_stockbalance",
        "backoffice:inventory",
        "boxes",
        "Stock across customers, adjustments with their reasons, cycle counts, the ledger.",
        routes=("backoffice:inventory", "backoffice:cycle-count"),
    ),
    Section(
        "inbound",
        "Inbound",
        "inbound.view_inboundorder",
        "backoffice:inbound-list",
        "truck",
        "Scan arrivals, count boxes, finish receiving, shelve; Damage/Gain slips.",
        routes=("backoffice:inbound-",),
    ),
    Section(
        "outbound",
        "Outbound (pick, pack, ship)",
        "fulfillment.view_wave",
        "backoffice:outbound-dashboard",
        "upc-scan",
        "Pick lists walked by bin, the pack station (scan, weigh, label) and hand-over manifests per carrier.",
        routes=("backoffice:outbound-",),
    ),
    Section(
        "all_orders",
        "Orders",
        "orders.view_order",
        "backoffice:order-list",
        "cart-check",
        "Every customer's orders with their timelines; the Abnormal queue by reason; place orders for customers.",
        routes=("backoffice:order-",),
    ),
    Section(
        "warehouses",
        "Warehouses",
        "warehouses.view_warehouse",
        "backoffice:warehouse-list",
        "building",
        "Warehouses and their bin locations.",
        routes=("backoffice:warehouse-",),
    ),
    Section(
        "shipping",
        "Shipping (TMS)",
        "shipping.view_channel",
        "backoffice:shipping-channel-list",
        "truck-front",
        "Carriers, channels, rate cards and their tables, freight discounts, the quote tool.",
        routes=("backoffice:shipping-",),
    ),
    Section(
        "tracking",
        "Tracking",
        "tracking.view_trackingevent",
        "backoffice:tracking-list",
        "geo-alt",
        "Find a parcel by order or tracking number, record carrier events, mark deliveries, watch exceptions.",
        routes=("backoffice:tracking-",),
    ),
    Section(
        "shop_connections",
        "Shop connections",
        "integrations.view_connection",
        "backoffice:integration-connection-list",
        "plug",
        "Every customer's Shopify connections and their health; replay a failed event, pause a connection.",
        routes=("backoffice:integration-",),
    ),
    Section(
        "billing",
        "Billing",
        "billing.view_topup",
        "backoffice:billing-topup-queue",
        "cash-stack",
        "Top-ups with their vouchers, customer wallets and adjustments, misc fees, payment accounts, prices.",
        routes=("backoffice:billing-",),
    ),
    Section(
        "sales",
        "Sales",
        "accounts.view_sales_desk",
        "backoffice:desk",
        "graph-up-arrow",
        "Close deals, open customer accounts, set levels and logistics plans.",
        (
            "Open a customer account and its owner login",
            "Set the customer level (pricing tier)",
            "Assign the dedicated customer-service representative",
            "Set the logistics plan: allowed warehouses, the default warehouse, and channels",
        ),
    ),
    Section(
        "service",
        "Customer service",
        "accounts.view_service_desk",
        "backoffice:desk",
        "headset",
        "Look after your customers and answer their inquiries with a traceable timeline.",
        (
            "See everything your customers see",
            "Answer inquiries (tickets)",
            "Confirm and synchronise customer information",
        ),
    ),
    Section(
        "orders",
        "Order group (OMS)",
        "accounts.view_order_desk",
        "backoffice:desk",
        "box-seam",
        "Place orders for customers, work the Abnormal queue, SKU and inventory corrections.",
        (
            "Place orders on a customer's behalf",
            "Work the Abnormal queue daily",
            "Handle daily shipping issues",
            "Post misc-fee deductions within 48–72 h of finance's notice",
        ),
    ),
    Section(
        "warehouse",
        "Warehouse",
        "accounts.view_warehouse_desk",
        "backoffice:desk",
        "building",
        "Receive, count and shelve inbound boxes; pick, pack, weigh, label and hand over parcels.",
        (
            "Receive and inspect inbound boxes",
            "Shelve into bin locations",
            "Pick, pack and weigh orders",
            "Print labels and box marks",
            "Hand parcels to carriers",
        ),
    ),
    Section(
        "logistics",
        "Logistics (TMS)",
        "accounts.view_logistics_desk",
        "backoffice:desk",
        "truck",
        "Shipping channels and rate cards, tracking and delivery exceptions.",
        (
            "Maintain channels and rate cards",
            "Keep each warehouse's destination zones (which warehouse is nearest)",
            "Track parcels to delivery",
            "Resolve delivery exceptions",
        ),
    ),
    Section(
        "finance",
        "Finance (FMS)",
        "accounts.view_finance_desk",
        "backoffice:desk",
        "cash-coin",
        "Approve top-ups, post misc fees and adjustments, run storage fees.",
        (
            "Approve or reject top-ups after the bank receives the money",
            "Post misc fees and adjustments",
            "Run storage fees",
            "Watch customer balances",
        ),
    ),
)

DESK_KEYS = tuple(s.key for s in SECTIONS if s.url_name == "backoffice:desk")


def sections_for(user) -> list[Section]:
    return [s for s in SECTIONS if user.has_perm(s.permission)]


def active_section_key(resolver_match) -> str | None:
    """The section a back-office page belongs to, for the navigation's highlight."""
    if resolver_match is None:
        return None
    if resolver_match.view_name == "backoffice:desk":
        return resolver_match.kwargs.get("desk")
    name = resolver_match.view_name
    for s in SECTIONS:
        if name == s.url_name or (s.routes and name.startswith(s.routes)):
            return s.key
    return None


def section(key: str) -> Section:
    return next(s for s in SECTIONS if s.key == key)
