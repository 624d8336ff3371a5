"""The portal's connect forms. They parse and offer choices; the rules (what is checked with the
shop, what is saved) are connect.py's."""

from django import forms
from django.utils import timezone

from apps.warehouses.selectors import customer_warehouses

from .choices import ConnectionMode
from .connect import ConnectOptions

TOKEN, CLIENT_CREDENTIALS = "token", "client_credentials"


class ShopOptionsForm(forms.Form):
    """What every way of connecting asks: the shop and how its orders come in."""

    shop_domain = forms.CharField(
        label="Shop domain", max_length=255, help_text="The shop's myshopify.com domain, e.g. demo-store.myshopify.com."
    )
    display_name = forms.CharField(
        label="Display name", max_length=100, required=False, help_text="Empty: the shop's own name."
    )
    default_warehouse = forms.ModelChoiceField(
        label="Default warehouse",
        queryset=None,
        required=False,
        empty_label="None: allocate by my settings",
        help_text="Orders from this shop are fulfilled from here unless they say otherwise.",
    )
    import_since = forms.DateField(
        label="Import orders created from",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Older orders are never imported (so nothing old is shipped by surprise).",
    )
    mode = forms.ChoiceField(
        label="How orders come in",
        choices=ConnectionMode.choices,
        initial=ConnectionMode.ORDERS,
        required=False,  # not sent (scripts, older pages): order sync
        help_text="Fulfillment service: each of your warehouses becomes a location on Shopify; orders you assign "
        "there are requested from us, and we accept or reject each request.",
    )
    submit_automatically = forms.BooleanField(
        label="Submit imported orders automatically (else they wait in Confirming for you)", required=False
    )
    api_base = forms.URLField(
        label="API base (advanced)",
        required=False,
        assume_scheme="https",
        help_text="Point the connection at another server, e.g. the local fake shop's GraphQL URL. Development only.",
    )

    def __init__(self, *args, customer, allow_api_base: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_warehouse"].queryset = customer_warehouses(customer=customer)
        self.fields["default_warehouse"].label_from_instance = lambda w: f"{w.code} · {w.name}"
        self.fields["import_since"].initial = timezone.localdate
        if not allow_api_base:
            del self.fields["api_base"]

    def options(self) -> ConnectOptions:
        data = self.cleaned_data
        return ConnectOptions(
            display_name=data.get("display_name") or "",
            default_warehouse=data.get("default_warehouse"),
            import_since=data.get("import_since"),
            submit_automatically=bool(data.get("submit_automatically")),
            api_base=data.get("api_base") or "",
            mode=data.get("mode") or ConnectionMode.ORDERS,
        )


class ShopifyConnectForm(ShopOptionsForm):
    """A Dev-Dashboard app of the seller's own: its client credentials and a way to a token."""

    client_id = forms.CharField(label="Client ID", max_length=255, required=False)
    client_secret = forms.CharField(
        label="Client secret",
        max_length=255,
        required=False,  # connect.py says what is missing, in its words
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Shopify signs its webhooks with it. Stored encrypted, never shown again.",
    )
    auth = forms.ChoiceField(
        label="Access token",
        choices=[
            (CLIENT_CREDENTIALS, "Use the client-credentials grant (a Dev Dashboard app on your own store)"),
            (TOKEN, "I paste an Admin API access token"),
        ],
        initial=CLIENT_CREDENTIALS,
    )
    access_token = forms.CharField(
        label="Admin API access token",
        max_length=255,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Only with “I paste an Admin API access token” (starts with shpat_).",
    )
    field_order = ["shop_domain", "client_id", "client_secret", "auth", "access_token"]


class ShopifyInstallForm(ShopOptionsForm):
    """Our public app's OAuth install: the shop is all Shopify needs to ask the merchant."""


class EbayConnectForm(forms.Form):
    """eBay's consent needs no account name or keys typed: the seller signs in on eBay. What we ask
    is how the account's orders come in."""

    display_name = forms.CharField(
        label="Display name", max_length=100, required=False, help_text="Empty: the eBay user ID."
    )
    default_warehouse = forms.ModelChoiceField(
        label="Default warehouse",
        queryset=None,
        required=False,
        empty_label="None: allocate by my settings",
        help_text="Orders from this account are fulfilled from here unless they say otherwise.",
    )
    import_since = forms.DateField(
        label="Import orders created from",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Older orders are never imported (so nothing old is shipped by surprise).",
    )
    submit_automatically = forms.BooleanField(
        label="Submit imported orders automatically (else they wait in Confirming for you)", required=False
    )
    inventory = forms.BooleanField(
        label="Also allow stock levels (the sell.inventory scope, for stock sync)", required=False
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_warehouse"].queryset = customer_warehouses(customer=customer)
        self.fields["default_warehouse"].label_from_instance = lambda w: f"{w.code} · {w.name}"
        self.fields["import_since"].initial = timezone.localdate

    def options(self) -> ConnectOptions:
        data = self.cleaned_data
        return ConnectOptions(
            display_name=data.get("display_name") or "",
            default_warehouse=data.get("default_warehouse"),
            import_since=data.get("import_since"),
            submit_automatically=bool(data.get("submit_automatically")),
        )
