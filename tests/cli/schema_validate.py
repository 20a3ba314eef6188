#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Validates YAML site files against docs/site.schema.json with a real
validator (Debian's python3-jsonschema). Prints one line per file and
exits 1 if any file is invalid."""
import sys

import jsonschema
import yaml


def main():
    import json
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    bad = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        errors = sorted(validator.iter_errors(doc if doc is not None else {}),
                        key=lambda e: list(e.absolute_path))
        if errors:
            bad += 1
            e = errors[0]
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            print(f"{path}: invalid at {where}: {e.message}")
        else:
            print(f"{path}: valid")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
