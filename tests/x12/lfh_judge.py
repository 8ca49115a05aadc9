"""Validate 270/271 files (005010X279A1) with LinuxForHealth x12, a second, independent judge.

pyx12 4.0.0 carries no 005010X279A1 map ("Map not found"), so the eligibility
files are judged by LinuxForHealth x12 (linuxforhealth-x12 0.57, pydantic 1),
whose models hold the TR3's loops, requirements and code lists. It runs in its
own interpreter (it needs pydantic < 2): lfh_check.py starts this script there.

One of its checks is replaced: its HL check compares each subscriber's parent
with the HL just before it, so it refuses any batch with two subscribers under
one receiver, which the TR3 allows (and expects). The replacement checks the
TR3's rule: HL01 counts 1, 2, 3 ...; a receiver's parent is its source, a
subscriber's its receiver, a dependent's its subscriber.

Usage: python lfh_judge.py FILE...   prints one JSON line per file:
{"file": ..., "valid": true|false, "transactions": N, "errors": [...]}
"""

import json
import sys

from pydantic import root_validator  # noqa: F401  (pydantic 1, as LFH needs)


def tr3_hierarchy(cls, values):
    expected = 1
    for source in values.get("loop_2000a", []):
        if int(source.hl_segment.hierarchical_id_number) != expected:
            raise ValueError(f"HL01 {source.hl_segment.hierarchical_id_number} out of sequence")
        source_id, expected = expected, expected + 1
        for receiver in source.loop_2000b or []:
            hl = receiver.hl_segment
            if int(hl.hierarchical_id_number) != expected:
                raise ValueError(f"HL01 {hl.hierarchical_id_number} out of sequence")
            if int(hl.hierarchical_parent_id_number) != source_id:
                raise ValueError(f"receiver HL {expected} does not point at its source")
            receiver_id, expected = expected, expected + 1
            for subscriber in receiver.loop_2000c or []:
                hl = subscriber.hl_segment
                if int(hl.hierarchical_id_number) != expected:
                    raise ValueError(f"HL01 {hl.hierarchical_id_number} out of sequence")
                if int(hl.hierarchical_parent_id_number) != receiver_id:
                    raise ValueError(f"subscriber HL {expected} does not point at its receiver")
                subscriber_id, expected = expected, expected + 1
                for dependent in subscriber.loop_2000d or []:
                    hl = dependent.hl_segment
                    if int(hl.hierarchical_id_number) != expected:
                        raise ValueError(f"HL01 {hl.hierarchical_id_number} out of sequence")
                    if int(hl.hierarchical_parent_id_number) != subscriber_id:
                        raise ValueError(
                            f"dependent HL {expected} does not point at its subscriber"
                        )
                    expected += 1
    return values


def patch(model):
    validators = model.__post_root_validators__
    names = [f.__name__ for _, f in validators]
    assert "validate_hierarchy_ids" in names, names  # LFH changed: look again before trusting
    model.__post_root_validators__ = [
        (skip, tr3_hierarchy if f.__name__ == "validate_hierarchy_ids" else f)
        for skip, f in validators
    ]


def main(paths):
    from linuxforhealth.x12.io import X12ModelReader
    from linuxforhealth.x12.v5010.x12_270_005010X279A1 import transaction_set as t270
    from linuxforhealth.x12.v5010.x12_271_005010X279A1 import transaction_set as t271

    patch(t270.EligibilityInquiry)
    patch(t271.EligibilityBenefit)
    for path in paths:
        verdict = {"file": path, "valid": True, "transactions": 0, "errors": []}
        try:
            with X12ModelReader(path) as reader:
                for _ in reader.models():
                    verdict["transactions"] += 1
        except Exception as error:  # LFH raises pydantic and its own errors alike
            verdict["valid"] = False
            verdict["errors"] = [f"{type(error).__name__}: {error}"]
        print(json.dumps(verdict))


if __name__ == "__main__":
    main(sys.argv[1:])
