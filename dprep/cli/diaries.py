"""``dprep diaries summarize`` and ``dprep ingest-diaries``: individual practice histories and diaries."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from dprep.cli._common import emit, fail
from dprep.cli._common import fail_validation as _bad_input


def summarize(
    folder: Path = typer.Argument(..., help="Diary folder (participants.csv, practice_history.csv, ...)."),
    age: Optional[float] = typer.Option(
        None, "--age", help="Age A (years): hours accumulated over the years of age start … A − 1 "
                            "(default: the study's target age)."
    ),
    activity: Optional[list[str]] = typer.Option(
        None, "--activity", help="Activity code (repeat to sum several); default practice_alone."
    ),
    study: Optional[str] = typer.Option(
        None, "--study", help="Study id in the study file: groups in rank order, planned contrasts, target age."
    ),
    studies: Path = typer.Option(Path("data/studies.yaml"), "--studies", help="The study file of --study."),
    level: float = typer.Option(0.95, "--level", help="Confidence level of the η² and ω² intervals."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """What the pipeline computes for a data set: accumulated hours per participant by age A, group n,
    mean and SD, the one-way ANOVA (η² and ω² with noncentral-F CIs), Welch ANOVA, Kruskal–Wallis,
    Games–Howell pairs and, with --study, the study's planned contrasts.

    Accumulated hours = Σ over the years of age from the start to A − 1 of the estimated
    hours per week × 52 (Ericsson et al., 1993, p. 379). Participants younger than A have no
    value and are left out of the tests. Exit 2, naming file, row and column, on invalid
    diary files. Rows are 1-based data records, the header not counted.
    """
    from dprep.core import args
    from dprep.core.errors import DprepError
    from dprep.data.diaries import accumulated_practice, read_diaries
    from dprep.data.schema import DataValidationError
    from dprep.data.studies import load_studies
    from dprep.studies.individual import analyse_participants

    activities = activity or ["practice_alone"]
    if age is not None:
        args.positive("--age", "dprep diaries summarize", age)
    entry = None if study is None else load_studies(studies)[study]
    if age is None and entry is None:
        fail("--age is required without --study (whose target age it would be).")
    try:
        data = read_diaries(folder)
    except DataValidationError as exc:
        _bad_input(exc, as_json)
    target = age if age is not None else entry.target_age
    try:
        accumulated = accumulated_practice(data, target, activities)
        hours = accumulated["accumulated_hours"].dropna()
        if len(hours) and not (hours > 0).any():
            fail(f"{folder}: no participant has practice hours before age {target:g} (--age); the groups "
                 "cannot be compared before practice starts.")
        label = "synthetic" if data.synthetic else "real data"
        result = analyse_participants(data, entry, label=label, age=age, activities=activities, level=level)
    except (DprepError, ValueError) as exc:
        fail(f"{folder}: {exc}")
    anova = result.omnibus.iloc[0]

    def records(frame):
        return frame.drop(columns=["study_id", "data"]).dropna(axis=1, how="all").to_dict(orient="records")

    emit(
        {
            "activity": activities,
            "age_years": target,
            "study": result.omnibus["study_id"].iloc[0],
            "participants": accumulated.to_dict(orient="records"),
            "groups": records(result.descriptives),
            "anova": {"F": anova["F"], "df1": int(anova["df1"]), "df2": int(anova["df2"]), "pval": anova["pval"],
                      "eta2": anova["eta2"], "omega2": anova["omega2"]},
            "effect_sizes": {name: {"estimate": anova[name], "ci_lb": anova[f"{name}_ci_lb"],
                                    "ci_ub": anova[f"{name}_ci_ub"], "level": level} for name in ("eta2", "omega2")},
            "omnibus": [{k: v for k, v in row.items() if v == v} for row in records(result.omnibus)],
            "contrasts": records(result.contrasts) if not result.contrasts.empty else [],
            "games_howell": records(result.games_howell),
            "notes": list(result.notes),
            "synthetic": data.synthetic,
        },
        as_json,
    )


def ingest_diaries(
    source: Path = typer.Argument(..., help="Folder of CSV files in another layout."),
    mapping: Path = typer.Option(
        ..., "--mapping", help="YAML mapping onto the diary format (see data/diaries/README.md)."
    ),
    out: Path = typer.Option(..., "--out", help="Diary folder to write."),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace --out if it is a diary folder an earlier ingest-diaries wrote."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Map another layout onto the diary format, validate it, and write the diary folder.

    Refuses, naming them, what it cannot map (missing files or columns, activity or group
    labels absent from the mapping, with their rows) and anything the diary validation
    rejects; nothing is written then. Rows are 1-based data records of the source files.
    --out must be new, an empty folder or, with --overwrite, a folder an earlier ingest-diaries
    wrote (it holds the marker file .dprep-ingest-diaries); anything else is never replaced.
    """
    from dprep.data.diaries import INGEST_MARKER, TABLES, ingest, is_ingest_output, write_diaries
    from dprep.data.schema import DataValidationError

    if (out.exists() or out.is_symlink()) and not (out.is_dir() and not any(out.iterdir())):
        if not is_ingest_output(out):
            fail(f"{out}: exists and is not a diary folder written by ingest-diaries (no {INGEST_MARKER}); "
                 "it is never replaced: choose another --out.")
        if not overwrite:
            fail(f"{out}: exists and is not empty; pass --overwrite to replace it.")
    try:
        data = ingest(source, mapping)
    except DataValidationError as exc:
        _bad_input(exc, as_json)
    try:
        write_diaries(data, out, ingested=True)
    except OSError as exc:
        fail(f"{out}: cannot be written ({exc.strerror or exc}).")
    emit(
        {
            "out": str(out),
            "rows": {name: len(getattr(data, name)) for name in TABLES},
            "synthetic": data.synthetic,
        },
        as_json,
    )


def register(app: typer.Typer) -> None:
    """Add the ``diaries`` command group and the ``ingest-diaries`` command to ``app``."""
    diaries_app = typer.Typer(help="Individual practice histories and one-week diaries.", no_args_is_help=True)
    diaries_app.command("summarize")(summarize)
    app.add_typer(diaries_app, name="diaries")
    app.command("ingest-diaries")(ingest_diaries)
