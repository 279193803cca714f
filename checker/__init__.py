"""checker: policy-as-code checks of CSP partners' non-payment, fraud and misuse controls."""

__version__ = "0.1.0"
