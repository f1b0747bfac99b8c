"""``dprep validate``: check a data package (or one of its CSV files) against its Table Schemas."""

from __future__ import annotations

from pathlib import Path

import typer

from dprep.cli._common import emit, fail_validation


def _resource_of(csv_path: Path) -> tuple[Path, str]:
    """Return the package descriptor next to ``csv_path`` and the name of its resource."""
    from dprep.data.schema import CellError, DataValidationError, package_descriptor

    descriptor_path, descriptor = package_descriptor(csv_path.parent)
    for res in descriptor["resources"]:
        if (descriptor_path.parent / res["path"]).resolve() == csv_path.resolve():
            return descriptor_path, res["name"]
    raise DataValidationError([CellError(
        str(csv_path), None, None, None, f"not a resource of the data package {descriptor_path}"
    )])


def validate(
    path: Path = typer.Argument(
        ...,
        help="A datapackage.json, a folder containing one, or a CSV file that is a resource "
        "of the datapackage.json in its folder.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Validate data against its Frictionless Table Schemas.

    Exit 0 with a summary if every table is valid, else exit 2 with one line per problem
    naming file, row and column (rows are 1-based data records, the header not counted).
    """
    from dprep.data.schema import DataValidationError, load_package, package_descriptor

    try:
        if path.suffix.lower() == ".csv":
            descriptor_path, name = _resource_of(path)
            tables = load_package(descriptor_path, [name])
        else:
            descriptor_path, _ = package_descriptor(path)
            tables = load_package(descriptor_path)
    except DataValidationError as exc:
        fail_validation(exc, as_json)
    emit(
        {
            "package": str(descriptor_path),
            "status": "OK",
            "tables": len(tables),
            "rows": {name: len(frame) for name, frame in tables.items()},
        },
        as_json,
    )


def register(app: typer.Typer) -> None:
    """Add the ``validate`` command to ``app``."""
    app.command("validate")(validate)
