"""The published ballot log: a hash chain anyone can check and recount. Pure: works on a dict.

header   = the topic, its options, rules and eligible totals frozen at the close (an election's header
           names its own "format", which says how it is recounted)
genesis  = sha256(canonical JSON of the header)
entry i  = {"seq", "option", "weight", "receipt_hash"[, "voter"]}
hash i   = sha256(hash i-1 + canonical JSON of entry i), hash 0 = genesis

The running commitment, published while voting is open (see models.BallotCommitment):
ballot hash = sha256(canonical JSON of {"option", "weight" (to the cent), "receipt_hash", "voter"})
commitment  = sha256("ballot-commitment:" + salt + ":" + count + ":" + the ballot hashes, SORTED)
The sealed log publishes the last commitment with its salt; verify() recomputes it from the entries.

Since issue 20 a vote extends the commitment instead of rehashing every ballot (O(1) a vote, not O(n)):
state       = the product, modulo the prime 2^3072 - 1103717, of one number per ballot hash
              (SHAKE-256 of it, 384 bytes): a multiset hash (MuHash), the same for the ballots in any
              order, extended by one multiplication per vote
commitment  = sha256("ballot-commitment/multiset:" + salt + ":" + count + ":" + the state in hex)
A published commitment of this kind says "scheme": "multiset/1"; one without a scheme is the sorted
form above (logs sealed before), and verify() checks each in its own way.
"""

import hashlib
import json
from decimal import Decimal

from django.utils.translation import gettext as _

from . import tally

FORMAT = "portal-ballot-log/1"


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def genesis(header: dict) -> str:
    return sha256(canonical(header))


def entry_body(entry: dict) -> dict:
    return {k: entry[k] for k in ("seq", "option", "choices", "weight", "receipt_hash", "voter") if k in entry}


def chain_hash(prev_hash: str, body: dict) -> str:
    return sha256(prev_hash + canonical(body))


def receipt_hash(receipt: str) -> str:
    return sha256("receipt:" + receipt.strip().upper())


def ballot_hash(entry: dict) -> str:
    """One ballot's content, whatever its place: what the running commitment covers."""
    # A topic's ballot holds one option; an election's holds its choices per post (a dict of lists).
    what = {"choices": entry["choices"]} if "choices" in entry else {"option": str(entry["option"])}
    body = {
        **what,
        "weight": tally.area_str(entry["weight"]),
        "receipt_hash": entry["receipt_hash"],
        "voter": entry.get("voter") or "",
    }
    return sha256(canonical(body))


def commitment(salt: str, ballot_hashes) -> str:
    """Count and content of a set of ballots, in no order (sorted), blinded by `salt`."""
    ordered = sorted(ballot_hashes)
    return sha256(f"ballot-commitment:{salt}:{len(ordered)}:" + "".join(ordered))


MULTISET = "multiset/1"
_MODULUS_BITS = 3072
_MODULUS = (1 << _MODULUS_BITS) - 1103717  # prime (Bitcoin Core's MuHash3072 uses the same)
_LOW = (1 << _MODULUS_BITS) - 1
EMPTY_STATE = "1"


def _reduce(value: int) -> int:
    """value mod the prime, using 2^3072 = 1103717 (mod p): a few shifts instead of a long division."""
    while value >> _MODULUS_BITS:
        value = (value >> _MODULUS_BITS) * 1103717 + (value & _LOW)
    return value - _MODULUS if value >= _MODULUS else value


def _element(ballot_hash_hex: str) -> int:
    digest = hashlib.shake_256(("ballot-element:" + ballot_hash_hex).encode()).digest(_MODULUS_BITS // 8)
    return _reduce(int.from_bytes(digest, "little")) or 1


def multiset_add(state: str, ballot_hashes) -> str:
    """The state of a multiset of ballot hashes after adding `ballot_hashes` (hex in, hex out)."""
    value = int(state, 16)
    for ballot_hash_hex in ballot_hashes:
        value = _reduce(value * _element(ballot_hash_hex))
    return format(value, "x")


def multiset_commitment(salt: str, count: int, state: str) -> str:
    return sha256(f"ballot-commitment/multiset:{salt}:{count}:{state}")


def commitment_of(published: dict, ballot_hashes) -> str:
    """What `published` (a commitment with its salt) should be for these ballots, in its own scheme."""
    hashes = list(ballot_hashes)
    if published.get("scheme") == MULTISET:
        return multiset_commitment(published["salt"], len(hashes), multiset_add(EMPTY_STATE, hashes))
    return commitment(published["salt"], hashes)


# Recounts of other kinds of log (an election's), by the header's "format"; filled from above.
_recounts = {}


def register_format(log_format: str, recount_function) -> None:
    """`recount_function(header, entries) -> result` for logs whose header has this "format"."""
    _recounts[log_format] = recount_function


def recount(header: dict, entries: list[dict]) -> dict:
    if header.get("format", FORMAT) != FORMAT:
        if header["format"] not in _recounts:
            raise ValueError(f"unknown log format {header['format']!r}")
        return _recounts[header["format"]](header, entries)
    options = [tally.OptionInfo(o["key"], o["label"], o["abstention"]) for o in header["options"]]
    return tally.tally(
        options,
        [tally.Vote(e["option"], Decimal(e["weight"])) for e in entries],
        tally.Rules(**header["rules"]),
        int(header["eligible_headcount"]),
        Decimal(header["eligible_area"]),
    )


def verify(document: dict) -> tuple[list[str], dict | None]:
    """(problems, recount). No problems means the chain is whole and the published result is right."""
    problems = []
    try:
        header, entries = document["header"], document["entries"]
        prev = genesis(header)
        if document.get("genesis") != prev:
            problems.append(_("The header does not match the genesis hash."))
        for position, entry in enumerate(entries, start=1):
            if entry.get("seq") != position:
                problems.append(_("Entry %(n)s: its sequence number is out of place.") % {"n": position})
            if entry.get("prev_hash") != prev:
                problems.append(_("Entry %(n)s: does not follow the entry before it.") % {"n": position})
            expected = chain_hash(prev, entry_body(entry))
            if entry.get("hash") != expected:
                problems.append(_("Entry %(n)s: its content does not match its hash.") % {"n": position})
            prev = expected
        if document.get("head") != prev:
            problems.append(_("The last hash does not match the published head: entries were added or removed."))
        if str(len(entries)) != str(document.get("roll_count")):
            problems.append(
                _("%(ballots)s ballots in the log but %(roll)s on the voter roll.")
                % {"ballots": len(entries), "roll": document.get("roll_count")}
            )
        problems += commitment_problems(document.get("commitment"), entries)
        result = recount(header, entries)
    except (AttributeError, KeyError, TypeError, ValueError, ArithmeticError) as error:
        return problems + [_("The document is malformed: %(error)s") % {"error": repr(error)}], None
    if canonical(result) != canonical(document.get("result")):
        problems.append(_("The recount differs from the published result."))
    return problems, result


def commitment_problems(published: dict | None, entries: list[dict]) -> list[str]:
    """Is the sealed log exactly the set of ballots committed to by the last vote?"""
    if not published:
        if entries:
            return [_("The log holds ballots, but no commitment to them was published during the vote.")]
        return []
    if str(published["count"]) != str(len(entries)):
        return [
            _("%(entries)s ballots in the log, but the last commitment published during the vote covered %(count)s.")
            % {"entries": len(entries), "count": published["count"]}
        ]
    if commitment_of(published, [ballot_hash(e) for e in entries]) != published["digest"]:
        return [_("The ballots in the log are not the ballots committed to during the vote: one was changed.")]
    return []
