import pytest
from django_scopes import ScopeError

from apps.accounts.models import ApiKey
from apps.accounts.services import api_key_create
from apps.core.tenancy import customer_scope, in_customer_scope, staff_scope

pytestmark = pytest.mark.django_db


@in_customer_scope
def count_keys(*, customer):
    return ApiKey.objects.count(), customer


def test_task_helper_re_enters_the_customers_scope(user_a, user_b):
    for user in (user_a, user_a, user_b):
        with customer_scope(user.customer):
            api_key_create(actor=user, name="k")
    assert count_keys(customer_id=user_a.customer_id) == (2, user_a.customer)
    assert count_keys(customer_id=user_b.customer_id)[0] == 1
    with pytest.raises(ScopeError):
        ApiKey.objects.count()  # and the scope ends with the task
    with staff_scope():
        assert ApiKey.objects.count() == 3
