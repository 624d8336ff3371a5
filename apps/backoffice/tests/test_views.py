import pytest
from django.urls import reverse

from apps.accounts.models import Customer, CustomerLevel, User
from apps.backoffice.sections import SECTIONS

pytestmark = pytest.mark.django_db

EXPECTED_SECTIONS = {
    "sales": {"customers", "all_orders", "sales", "warehouses", "shipping", "billing"},
    "customer_service": {
        "customers",
        "all_orders",
        "service",
        "products",
        "inventory",
        "warehouses",
        "inbound",
        "outbound",
        "shipping",
        "billing",
        "tracking",
        "shop_connections",
    },
    "order_group": {
        "customers",
        "all_orders",
        "orders",
        "products",
        "inventory",
        "warehouses",
        "inbound",
        "outbound",
        "shipping",
        "billing",
        "tracking",
        "shop_connections",
    },
    "warehouse": {"warehouse", "all_orders", "products", "inventory", "warehouses", "inbound", "outbound", "shipping"},
    "logistics": {
        "logistics",
        "all_orders",
        "products",
        "inventory",
        "warehouses",
        "inbound",
        "outbound",
        "shipping",
        "tracking",
    },
    "finance": {"customers", "all_orders", "finance", "inventory", "shipping", "billing"},
    "admin": {s.key for s in SECTIONS},
}


def section_url(section):
    if section.url_name == "backoffice:desk":
        return reverse("backoffice:desk", args=[section.key])
    return reverse(section.url_name)


@pytest.mark.parametrize("role", sorted(EXPECTED_SECTIONS))
def test_each_role_sees_and_opens_only_its_sections(client, make_staff, role):
    client.force_login(make_staff(role))
    dashboard = client.get(reverse("backoffice:dashboard")).content.decode()
    for section in SECTIONS:
        allowed = section.key in EXPECTED_SECTIONS[role]
        assert (f'data-section="{section.key}"' in dashboard) is allowed, section.key
        assert client.get(section_url(section)).status_code == (200 if allowed else 403), section.key


def test_staff_without_role_is_told_to_ask_for_one(client, make_staff):
    client.force_login(make_staff())
    assert "No back-office role yet" in client.get(reverse("backoffice:dashboard")).content.decode()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("backoffice:customer-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_unknown_desk_is_404(client, make_staff):
    client.force_login(make_staff("admin"))
    assert client.get(reverse("backoffice:desk", args=["nope"])).status_code == 404


def test_sales_opens_customer_with_owner_login(client, make_staff):
    sales, rep = make_staff("sales"), make_staff("customer_service")
    client.force_login(sales)
    gold = CustomerLevel.objects.get(code="gold")
    response = client.post(
        reverse("backoffice:customer-create"),
        {
            "company_name": "Initech",
            "contact_name": "Peter Gibbons",
            "contact_email": "peter@initech.example",
            "contact_phone": "",
            "level": gold.pk,
            "service_rep": rep.pk,
            "sales_rep": sales.pk,
            "owner_email": "peter@initech.example",
            "owner_password": "tps-report-cover-9",
        },
        follow=True,
    )
    customer = Customer.objects.get(company_name="Initech")
    assert f"Customer {customer.code} Initech created" in response.content.decode()
    assert customer.level == gold and customer.service_rep == rep
    owner = User.objects.get(email="peter@initech.example")
    assert owner.customer == customer and owner.customer_role == "owner"


def test_customer_create_bad_input_changes_nothing(client, make_staff):
    client.force_login(make_staff("sales"))
    response = client.post(
        reverse("backoffice:customer-create"),
        {
            "company_name": "Initech",
            "contact_name": "P",
            "contact_email": "peter@initech.example",
            "level": CustomerLevel.objects.get(code="gold").pk,
            "owner_email": "p@initech.example",
            "owner_password": "",
        },
    )
    assert response.status_code == 400
    assert "or neither" in response.content.decode()
    assert not Customer.objects.filter(company_name="Initech").exists()


def test_customer_service_cannot_open_or_edit_customers(client, make_staff, customer_a):
    client.force_login(make_staff("customer_service"))
    assert client.get(reverse("backoffice:customer-create")).status_code == 403
    assert client.post(reverse("backoffice:customer-update", args=[customer_a.code]), {}).status_code == 403
    assert client.get(reverse("backoffice:customer-detail", args=[customer_a.code])).status_code == 200


def test_sales_changes_level(client, make_staff, customer_a):
    client.force_login(make_staff("sales"))
    vip = CustomerLevel.objects.get(code="vip")
    response = client.post(
        reverse("backoffice:customer-update", args=[customer_a.code]),
        {
            "company_name": customer_a.company_name,
            "contact_name": customer_a.contact_name,
            "contact_email": customer_a.contact_email,
            "contact_phone": "",
            "level": vip.pk,
            "service_rep": "",
            "sales_rep": "",
        },
        follow=True,
    )
    assert f"Customer {customer_a.code} updated" in response.content.decode()
    customer_a.refresh_from_db()
    assert customer_a.level == vip


def test_only_admin_suspends(client, make_staff, customer_a):
    url = reverse("backoffice:customer-status", args=[customer_a.code])
    client.force_login(make_staff("sales"))
    assert client.post(url, {"status": "suspended"}).status_code == 403
    client.force_login(make_staff("admin"))
    response = client.post(url, {"status": "suspended"}, follow=True)
    assert "is now suspended" in response.content.decode()
    customer_a.refresh_from_db()
    assert customer_a.status == "suspended"


def test_customer_list_runs_fixed_number_of_queries(client, make_staff, django_assert_max_num_queries):
    from apps.accounts.tests.factories import CustomerFactory, CustomerUserFactory

    client.force_login(make_staff("sales"))
    for _ in range(3):
        CustomerUserFactory(customer=CustomerFactory())
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("backoffice:customer-list"))
    for _ in range(15):
        CustomerUserFactory(customer=CustomerFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("backoffice:customer-list"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/staff/customers/C') == Customer.objects.count() == 18


def test_django_admin_is_for_superusers_only(client, make_staff):
    client.force_login(make_staff("finance"))
    assert client.get("/admin/").status_code == 302  # to the admin login
    superuser = make_staff("admin")
    superuser.is_superuser = True
    superuser.save()
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/apikey/").status_code == 200


def test_navigation_highlights_the_current_section(client, make_staff, customer_a):
    client.force_login(make_staff("admin"))
    for url, key in [
        (reverse("backoffice:desk", args=["finance"]), "finance"),
        (reverse("backoffice:customer-detail", args=[customer_a.code]), "customers"),
    ]:
        body = client.get(url).content.decode()
        assert f'class="nav-link active" data-section="{key}"' in body, url
        assert body.count("nav-link active") == 1
