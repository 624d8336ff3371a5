import re

from django import forms

from apps.core.identifiers import order_number_problem

MAX_NUMBERS = 40
SEPARATORS = re.compile(r"[\s,;]+")


class TrackForm(forms.Form):
    """Up to 40 system order numbers (S…) or tracking numbers, one per line or comma-separated."""

    numbers = forms.CharField(
        label="Order or tracking numbers",
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "S26112500000421\n1Z999AA10123456784"}),
        help_text=f"Up to {MAX_NUMBERS} numbers, one per line or separated by commas.",
    )

    def clean_numbers(self):
        seen, numbers = set(), []
        for raw in SEPARATORS.split(self.cleaned_data["numbers"].strip()):
            number = raw.strip().upper()
            if number and number not in seen:
                seen.add(number)
                numbers.append(number)
        if not numbers:
            raise forms.ValidationError("Enter at least one number.")
        if len(numbers) > MAX_NUMBERS:
            raise forms.ValidationError(
                f"You entered {len(numbers)} numbers; track at most {MAX_NUMBERS} at a time."
            )
        problems = []
        for number in numbers:
            if re.fullmatch(r"S\d+", number):
                problem = order_number_problem(number)
                if problem:
                    problems.append(f"{number}: {problem}")
            elif not re.fullmatch(r"[A-Z0-9-]{6,40}", number):
                problems.append(f"{number}: use letters, digits and dashes only (6–40 characters)")
        if problems:
            raise forms.ValidationError(problems)
        return numbers
