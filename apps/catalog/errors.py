from apps.core.errors import StateConflict, ValidationFailed


class ProductInvalid(ValidationFailed):
    default_code = "product_invalid"


class DuplicateSku(ValidationFailed):
    default_code = "duplicate_sku"


class UpcAlreadySet(StateConflict):
    default_code = "upc_already_set"


class UpcPoolExhausted(StateConflict):
    default_code = "upc_pool_exhausted"
