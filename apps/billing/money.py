"""Money rules: Decimal only, rounded to the currency's minor unit, half up (0.005 → 0.01)."""

from decimal import ROUND_HALF_UP, Decimal

from apps.core.numbers import HOW_TO_WRITE, read_decimal

from .choices import SUPPORTED_CURRENCIES, ZERO_DECIMAL_CURRENCIES
from .errors import InvalidAmount

MAX_AMOUNT = Decimal("10000000")


def minor_unit(currency: str) -> Decimal:
    return Decimal("1") if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")


def round_money(value, currency: str = "USD") -> Decimal:
    return Decimal(value).quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def positive_amount(value, currency: str = "USD", *, what: str = "The amount") -> Decimal:
    """A Decimal above zero, rounded to the currency; a clear error otherwise (never a float)."""
    try:
        number = read_decimal(value)
    except ValueError:
        raise InvalidAmount(
            f"{what} must be a number: {HOW_TO_WRITE}.", extra={"amount": ["must be a number"]}
        ) from None
    if not number.is_finite() or number <= 0:
        raise InvalidAmount(f"{what} must be more than 0.", extra={"amount": ["must be more than 0"]})
    if number > MAX_AMOUNT:
        raise InvalidAmount(f"{what} is too large.", extra={"amount": ["too large"]})
    rounded = round_money(number, currency)
    if rounded <= 0:
        raise InvalidAmount(f"{what} rounds to 0 {currency}.", extra={"amount": ["rounds to 0"]})
    return rounded


def positive_rate(value, *, source: str, target: str) -> Decimal:
    """An exchange rate above zero ("1,085" is 1.085: a rate is never grouped in thousands)."""
    try:
        rate = read_decimal(value, grouping=False)
    except ValueError:
        if not str(value if value is not None else "").strip():
            raise InvalidAmount(
                f"Give the exchange rate used from {source} to {target}.", extra={"exchange_rate": ["is required"]}
            ) from None
        raise InvalidAmount(
            f"The exchange rate must be a number: {HOW_TO_WRITE}.",
            extra={"exchange_rate": ["must be a number"]},
        ) from None
    if not rate.is_finite() or rate <= 0:
        raise InvalidAmount(
            f"The exchange rate from {source} to {target} must be more than 0.",
            extra={"exchange_rate": ["must be more than 0"]},
        )
    return rate


def check_currency(currency: str) -> str:
    code = (currency or "").strip().upper()
    if code not in SUPPORTED_CURRENCIES:
        raise InvalidAmount(
            f"{currency or 'That'} is not a currency we take; use one of {', '.join(SUPPORTED_CURRENCIES)}.",
            code="unsupported_currency",
            extra={"currency": ["not supported"]},
        )
    return code
