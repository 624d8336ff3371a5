"""Back-office forms of the transport core, and the rate-table spreadsheet (template and reading).

The forms check the shape of the input; the rules (transit range, validity, overlapping brackets,
country codes…) are the services' and come back as ``ApplicationError``.
"""

from __future__ import annotations

from django import forms

from apps.accounts.models import CustomerLevel
from apps.documents.toolkit.uploads import XLSX_MAX_BYTES, SpreadsheetError, format_size
from apps.documents.toolkit.xlsx import Column, Table, cell_text, read_table, template_xlsx
from apps.warehouses.models import Warehouse

from ..models import Carrier, Channel, RateCard
from ..quotes import MAX_WEIGHT_G
from ..services import CHANNEL_FIELDS, RateRow

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CarrierForm(forms.ModelForm):
    class Meta:
        model = Carrier
        fields = ["code", "name", "tracking_url", "is_active"]
        labels = {"is_active": "Active"}


class CarrierUpdateForm(CarrierForm):
    class Meta(CarrierForm.Meta):
        fields = ["name", "tracking_url", "is_active"]


class ChannelForm(forms.ModelForm):
    class Meta:
        model = Channel
        fields = list(CHANNEL_FIELDS)
        labels = {
            "transit_days_min": "Shortest transit (days)",
            "transit_days_max": "Longest transit (days)",
            "volumetric_divisor": "Volumetric divisor",
            "max_weight_g": "Max weight (g)",
            "max_length_cm": "Max length (cm)",
            "max_girth_cm": "Max length + girth (cm)",
            "is_active": "Active",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = Carrier.objects.order_by("name")
        self.fields["warehouse"].queryset = Warehouse.objects.order_by("code")
        self.fields["max_weight_g"].min_value = 1
        self.fields["max_weight_g"].widget.attrs["min"] = 1

    def clean(self):
        data = super().clean()
        # The model's check constraint would otherwise answer with its bare name; say it in words.
        low, high = data.get("transit_days_min"), data.get("transit_days_max")
        if low is not None and high is not None and high < low:
            self.add_error("transit_days_max", "The longest transit time cannot be shorter than the shortest.")
        return data


class ChannelUpdateForm(ChannelForm):
    """The code names the channel in URLs, labels and the API: it stays."""

    class Meta(ChannelForm.Meta):
        fields = [f for f in CHANNEL_FIELDS if f != "code"]


class RateCardForm(forms.ModelForm):
    class Meta:
        model = RateCard
        fields = [
            "channel",
            "name",
            "currency",
            "fuel_surcharge_pct",
            "per_parcel_fee",
            "valid_from",
            "valid_to",
            "is_active",
        ]
        widgets = {"valid_from": DATE, "valid_to": DATE}
        labels = {"fuel_surcharge_pct": "Fuel surcharge (%)", "per_parcel_fee": "Per-parcel fee", "is_active": "Active"}
        help_texts = {
            "valid_to": "Empty: valid until a newer card replaces it.",
            "currency": "Three-letter code, e.g. USD.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "channel" in self.fields:
            self.fields["channel"].queryset = Channel.objects.select_related("warehouse").order_by(
                "warehouse__code", "code"
            )

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").strip().upper()


class RateCardUpdateForm(RateCardForm):
    """A card belongs to its channel for good: make a new card for another channel."""

    class Meta(RateCardForm.Meta):
        fields = [f for f in RateCardForm.Meta.fields if f != "channel"]


class RemoteSurchargesForm(forms.Form):
    lines = forms.CharField(
        label="Remote-area surcharges",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text="One per line: country, postal prefix, amount — e.g. <code>US, 995, 3.00</code>. "
        "Empty removes them all.",
    )

    def clean_lines(self):
        rows, problems = [], []
        for number, line in enumerate((self.cleaned_data.get("lines") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace(";", ",").replace("\t", ",").split(",")]
            if len(parts) != 3:
                problems.append(f"Line {number} (“{line.strip()}”): write country, postal prefix, amount.")
                continue
            rows.append(tuple(parts))
        if problems:
            raise forms.ValidationError(problems)
        return rows

    @staticmethod
    def initial_for(card: RateCard) -> str:
        return "\n".join(f"{s.country}, {s.postal_prefix}, {s.amount}" for s in card.remote_surcharges.all())


class LevelDiscountsForm(forms.Form):
    """One percentage per customer level."""

    def __init__(self, *args, levels, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = list(levels)
        for level in self.levels:
            self.fields[self.field_name(level)] = forms.DecimalField(
                label=level.name,
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                initial=current.get(level.pk, 0),
                help_text=level.description,
                widget=forms.NumberInput(attrs={"step": "0.01"}),
            )

    @staticmethod
    def field_name(level) -> str:
        return f"level_{level.pk}"

    def percents(self):
        return [(level, self.cleaned_data[self.field_name(level)]) for level in self.levels]


class CustomerChannelsForm(forms.Form):
    channels = forms.ModelMultipleChoiceField(
        queryset=Channel.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channels"].queryset = choices


SORTS = [("price", "Cheapest first"), ("speed", "Fastest first")]


class QuoteForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.filter(is_active=True).order_by("code"), to_field_name="code", empty_label=None
    )
    country = forms.CharField(max_length=60, help_text="Two-letter code, e.g. US.")
    postal_code = forms.CharField(max_length=20, required=False)
    weight_g = forms.IntegerField(label="Weight (g)", min_value=1, max_value=MAX_WEIGHT_G)
    length_cm = forms.DecimalField(
        label="Length (cm)", required=False, min_value=0.1, max_value=1000, max_digits=6, decimal_places=1
    )
    width_cm = forms.DecimalField(
        label="Width (cm)", required=False, min_value=0.1, max_value=1000, max_digits=6, decimal_places=1
    )
    height_cm = forms.DecimalField(
        label="Height (cm)", required=False, min_value=0.1, max_value=1000, max_digits=6, decimal_places=1
    )
    level = forms.ModelChoiceField(
        label="Customer level",
        queryset=CustomerLevel.objects.all(),
        required=False,
        to_field_name="code",
        empty_label="No level (list price)",
    )
    sort = forms.ChoiceField(choices=SORTS, required=False, initial="price")


# --- The rate-table spreadsheet -----------------------------------------------------------------

RATE_COLUMNS: tuple[Column, ...] = (
    Column(
        "zone",
        "Zone",
        required=True,
        example="US West",
        note="The zone's name. Rows with the same name are the weight lines of one zone.",
    ),
    Column(
        "countries",
        "Countries",
        example="US",
        width=16,
        note="Two-letter country codes, separated by commas (e.g. US, CA). Needed on at least one row of "
        "each zone; rows that repeat them must list the same countries.",
    ),
    Column(
        "postal_prefixes",
        "Postal prefixes",
        example="900-961",
        text=True,
        width=20,
        note="Optional: only postal codes starting with these prefixes or in these ranges (e.g. 90, 900-961), "
        "separated by commas. Empty: the whole countries. A postal zone wins over a whole-country zone.",
    ),
    Column(
        "weight_from_g",
        "Weight from (g)",
        required=True,
        example=0,
        number_range=(0, MAX_WEIGHT_G),
        note="The line covers parcels heavier than this (in grams)…",
    ),
    Column(
        "weight_to_g",
        "Weight to (g)",
        required=True,
        example=500,
        number_range=(1, MAX_WEIGHT_G),
        note="…up to and including this weight. Lines of one zone must not overlap: 0–500 then 500–1000.",
    ),
    Column(
        "price",
        "Price",
        required=True,
        example=4.5,
        number_range=(0, 1_000_000),
        note="The price in the card's currency (before fuel surcharge and fees). With a step: the price at "
        "the 'from' weight.",
    ),
    Column(
        "step_g",
        "Step (g)",
        number_range=(1, MAX_WEIGHT_G),
        note="Optional additional weight: add the step price for each started step above the 'from' weight "
        "(e.g. 500 g).",
    ),
    Column(
        "step_price",
        "Step price",
        number_range=(0, 1_000_000),
        note="The price of each started step. Give both the step and its price, or neither.",
    ),
)
RATE_HEADERS = {c.key: c.label for c in RATE_COLUMNS}


def rate_template() -> bytes:
    return template_xlsx(
        RATE_COLUMNS,
        title="Rate table",
        instructions=(
            "One row per weight line of a zone. Rows with the same zone name form one zone (its countries and "
            "postal prefixes); each line covers parcels above 'Weight from' up to and including 'Weight to'.",
            "Uploading replaces every zone and weight line of the rate card. Hover a header for its note; "
            "the Notes sheet lists them all.",
        ),
    )


def rate_rows(table: Table) -> list[RateRow]:
    """Spreadsheet rows to the service's RateRow; numbers stay as read (the service checks them)."""
    rows = []
    for row in table.rows:
        v = row.values
        rows.append(
            RateRow(
                number=row.number,
                zone=cell_text(v["zone"]) or "",
                countries=cell_text(v["countries"]) or "",
                postal_prefixes=cell_text(v["postal_prefixes"]) or "",
                weight_from_g=_number(v["weight_from_g"]),
                weight_to_g=_number(v["weight_to_g"]),
                price=_number(v["price"]),
                step_g=_number(v["step_g"]),
                step_price=_number(v["step_price"]),
            )
        )
    return rows


def _number(value):
    # A float as its shortest text (0.1 stays "0.1", 500.0 becomes "500"), so the service's
    # Decimal parsing sees what the user typed; anything else goes through as it is.
    if isinstance(value, float):
        return cell_text(value)
    return value


class RateTableImportForm(forms.Form):
    file = forms.FileField(
        label="Rate table (.xlsx)", help_text=f"Use the template; at most {format_size(XLSX_MAX_BYTES)}."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > XLSX_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {format_size(upload.size)}; the limit is {format_size(XLSX_MAX_BYTES)}."
            )
        data = upload.read()
        try:
            table = read_table(data, RATE_COLUMNS)
        except SpreadsheetError as exc:
            raise forms.ValidationError(exc.message) from exc
        self.data_bytes, self.table = data, table
        return upload
