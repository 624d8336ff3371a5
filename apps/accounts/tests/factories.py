import factory
from django.contrib.auth.models import Group

from apps.accounts.choices import CustomerRole
from apps.accounts.models import Customer, User
from apps.accounts.selectors import default_customer_level
from apps.accounts.services import customer_create

TEST_PASSWORD = "correct-horse-battery-9"


class CustomerFactory(factory.django.DjangoModelFactory):
    """Customers come from the real service, so they get real codes from the sequence."""

    class Meta:
        model = Customer

    company_name = factory.Sequence(lambda n: f"Company {n}")
    contact_name = factory.Faker("name")
    contact_email = factory.Sequence(lambda n: f"contact{n}@company.example")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs.setdefault("level", default_customer_level())
        return customer_create(actor=None, **kwargs)


class CustomerUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@customer.example")
    full_name = factory.Faker("name")
    customer = factory.SubFactory(CustomerFactory)
    customer_role = CustomerRole.OWNER
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    class Params:
        member = factory.Trait(customer_role=CustomerRole.MEMBER)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class StaffUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@hub.example")
    full_name = factory.Faker("name")
    is_staff = True

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.set_password(TEST_PASSWORD)
        self.save()
        if extracted:
            self.groups.set(Group.objects.filter(name__in=[str(r) for r in extracted]))
