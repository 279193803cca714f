"""Drop from a chunk's text the customer members that no shipped rule reads.

Measured and not used: trimming costs about twice what it saves regorus (README, "Cost
per rule"; ``python bench/trim.py``), so checker hands the engine each chunk's text as it
is. Kept here, tested (``tests/test_trim.py``), so the measurement can be repeated should
the balance change.

regorus converts every member of its input, and a fifth of a typical customer's bytes are
members that only a person reads (the company's domain and tenant id, offer names, who
acted, when a fraud event was resolved). ``trim_members`` removes them from a chunk's JSON text, a
comma-separated run of whole customer objects as ``checker.stream`` cuts it, with two
regular-expression substitutions over the bytes (C speed, no Python loop per customer and
no parse), so the engine is handed less. The caller keeps the original text for locating
findings and naming customers; only the engine sees the trimmed text, and only with the
shipped rules (a partner's own ``--policy`` rules may read any member). Measured with
``bench/trim.py``, trimming costs about twice what it saves regorus today (README, "Cost
per rule").

Why it is safe. The text is valid JSON (it was parsed when validating), and
``trim_members`` refuses (returns ``None``) any text containing ``\\"``. In JSON a ``"``
inside a string must be written ``\\"``, so in the remaining texts every ``"`` opens or
closes a string. Between a string's closing quote and the next opening quote lies only
structure (whitespace and at least one of ``: , [ ] { }``), never a run of letters alone,
so wherever the pattern ``"<name>"`` matches with ``<name>`` one of the (letters only)
``TRIMMED_KEYS``, it is a whole string; followed by ``:`` it is a key. The ``,`` or ``{``
just before it (whitespace aside) is then structure too, the member's separator or its
object's opening brace. A member is removed only when its value is a string
(``"[^"]*"``, whole for the same reason), ``true``, ``false``, ``null`` or a number (in
valid JSON what follows it ends the member); a member whose value is an object or an
array is kept, and so is a key written with escapes (``"dom\\u0061in"``): keeping a member
is always safe.

The first substitution removes every such member that has a member before it, together
with the comma before it (``,"domain":"x"``); what is left around it (``… , …`` or
``… }``) is still valid. The second removes such a member where it is now its object's
first: ``{"tenantId":"t",`` or ``{"tenantId":"t"`` before ``}`` becomes ``{``. After the
first pass the member after a first one is not a removable one, so one pass of each
leaves none: the result parses to exactly the original with every removable member gone,
members in their original order, arrays with all their elements (so every path a rule
reports, which counts array elements, is the same in both texts).

Which keys: every member name a customer can carry (schemas/account-snapshot.schema.json)
that appears nowhere in the shipped Rego (rego/, test modules aside) as an identifier, nor
as a word of a string literal without spaces (object.get keys, paths). The rules iterate
over arrays only (customers, subscriptions, events...), which keep all their elements, and
none hands a customer's object to a builtin that sees all its members (``object.keys``,
``json.marshal``, ``walk``...). ``tests/test_trim.py`` recomputes the names and looks for
those builtins in rego/, so that a rule that starts reading one of these keys fails the
test, and checks that regorus answers the same on trimmed and untrimmed text.
"""

from __future__ import annotations

import re

TRIMMED_KEYS: frozenset[str] = frozenset({
    "autoRenewEnabled",   # subscriptions[]
    "by",                 # partnerActions[]
    "customerTenantId",   # fraudEvents[]
    "domain",             # companyProfile
    "hitCount",           # fraudEvents[]
    "offerName",          # subscriptions[]
    "paymentInstrument",  # onboarding
    "resolvedOn",         # fraudEvents[]
    "tenantId",           # companyProfile
    "title",              # serviceRequests[]
    "type",               # subscriptions[].refundOptions[]
    "verifiedOn",         # onboarding
})
"""Customer member names no shipped rule reads, wherever they are in a customer."""

_WS = rb"[ \t\r\n]*+"


def _one_of(names: list[bytes]) -> bytes:
    """A regular expression for exactly ``names``, choosing one byte at a time.

    ``t(?:enantId|itle|ype)`` rather than ``tenantId|title|type``: a key that is not one
    of them is rejected after fewer tries (about a tenth faster over a chunk).
    """
    tails: dict[bytes, list[bytes]] = {}
    for name in names:
        tails.setdefault(name[:1], []).append(name[1:])
    ends = tails.pop(b"", None) is not None
    if not tails:
        return b""
    choices = [re.escape(first) + _one_of(rest) for first, rest in sorted(tails.items())]
    if len(choices) == 1 and not ends:
        return choices[0]
    return b"(?:" + b"|".join(choices) + (b")?" if ends else b")")


_KEY = b'"' + _one_of(sorted(k.encode() for k in TRIMMED_KEYS)) + b'"'
# A whole scalar: the text is valid JSON, so what follows ends the member (``,`` or ``}``).
_VALUE = (rb'(?:"[^"]*+"|true|false|null|-?(?:0|[1-9][0-9]*+)(?:\.[0-9]++)?'
          rb"(?:[eE][+-]?[0-9]++)?)")
_MEMBER = _KEY + _WS + b":" + _WS + _VALUE
# Each pattern starts with one literal byte, which the regular-expression engine looks for
# quickly; a pattern starting with a choice of bytes is tried at every position (and a
# single pattern for both cases was four times as slow as the two).
# A removable member after another member, with the comma before it.
_NOT_FIRST = re.compile(b"," + _WS + _MEMBER)
# A removable member first in its object, with the comma after it if there is one.
_FIRST = re.compile(rb"\{" + _WS + _MEMBER + _WS + b",?")


def trim_members(raw: bytes) -> bytes | None:
    """``raw`` without the members named in ``TRIMMED_KEYS`` whose values are scalars.

    ``raw`` is valid JSON text of whole values separated by commas (a chunk of customers).
    ``None`` when it contains an escaped quote, where the text cannot be trimmed safely
    this way: the caller then hands the engine ``raw`` as it is.
    """
    # Most chunks have no backslash at all, which is found far faster than the pair.
    if b"\\" in raw and b'\\"' in raw:
        return None
    return _FIRST.sub(b"{", _NOT_FIRST.sub(b"", raw))
