"""DVC stage `validate`: check data/raw against its data package; pass on the checked files.

A table that breaks its schema stops the pipeline with one message per bad cell (file, row,
column) and nothing downstream is rewritten. The files that pass are copied byte for byte,
so reported values keep the digits they were printed with (the audit reads the rounding
of each statistic from its text).
"""

import shutil
import sys
from pathlib import Path

from dprep.data.io import atomic_dir, write_json
from dprep.data.schema import DataValidationError, validate_package

RAW = Path("data/raw/datapackage.json")
OUT = Path("data/processed/validated")
METRICS = Path("metrics/validate.json")


def main() -> int:
    try:
        tables = validate_package(RAW)
    except DataValidationError as err:
        print(err, file=sys.stderr)
        return 2
    with atomic_dir(OUT) as tmp:
        for name, frame in tables.items():
            shutil.copy2(RAW.parent / f"{name}.csv", tmp / f"{name}.csv")
        shutil.copy2(RAW, tmp / RAW.name)
        write_json(tmp / "validation.json", {
            "tables": len(tables),
            "rows": {name: len(frame) for name, frame in tables.items()},
            "errors": 0,
        })
    write_json(METRICS, {"tables": len(tables), "rows": sum(len(f) for f in tables.values()), "errors": 0})
    print(f"validated {len(tables)} tables: " + ", ".join(f"{n} ({len(f)} rows)" for n, f in tables.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
