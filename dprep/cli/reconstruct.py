"""``dprep reconstruct``: synthetic participant-level data consistent with the published summaries."""

from __future__ import annotations

from pathlib import Path

import typer

from dprep.cli._common import emit, fail

def reconstruct(
    study: str = typer.Option(..., "--study", help="A study marked 'reconstruct: true' in the study file, or 'all'."),
    out: Path = typer.Option(..., "--out", help="Folder; one diary folder <study>_reconstructed[_<scenario>] per study and scenario."),
    seed: int = typer.Option(None, "--seed", help="Seed of the draws; default params.yaml 'seed'."),
    validated: Path = typer.Option(
        Path("data/processed/validated"), "--validated",
        help="Folder with group_summaries.csv and reported_tests.csv."),
    params: Path = typer.Option(Path("params.yaml"), "--params", help="Parameters file (for the seed)."),
    studies_file: Path = typer.Option(Path("data/studies.yaml"), "--studies", help="The study file."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Write RECONSTRUCTED (synthetic) diary folders and print reported vs reconstructed statistics.

    The invented participants reproduce each study's group sizes and mean accumulated
    practice alone by 18 exactly and its reported test statistics within rounding, assuming
    equal group SDs (the pooled SD implied by the reported tests). The replication's
    unreported third mean has two values that fit its η², and the published numbers do not say
    which: one folder is written per root (``<study>_reconstructed_lower_root``, ``..._upper_root``).
    They are not the studies' data. Each folder is written atomically. Exit 2 on an unknown study or unreadable input.
    """
    from dprep.data.diaries import write_diaries
    from dprep.data.studies import load_studies
    from dprep.data.tables import read_group_summaries, read_reported_tests
    from dprep.stats.audit import audit
    from dprep.studies.reconstruct import folder_name, reconstruct_study, study_scenarios

    studies = load_studies(studies_file)
    choices = [s.id for s in studies.reconstructable]
    if study not in (*choices, "all"):
        fail(f"--study must be one of {', '.join(choices)} or all; got {study!r}")
    if seed is None:
        import yaml

        try:
            seed = int(yaml.safe_load(params.read_text(encoding="utf-8"))["seed"])
        except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
            fail(f"{params}: cannot read 'seed' ({exc}); pass --seed")
    groups = read_group_summaries(validated / "group_summaries.csv")
    tests = read_reported_tests(validated / "reported_tests.csv")
    try:
        derived = audit(tests, groups).derived
    except ValueError as exc:
        fail(f"{validated}: the reported tests and group summaries cannot be audited: {exc}")
    results = []
    for study_id in choices if study == "all" else (study,):
        try:
            scenarios = study_scenarios(studies[study_id], groups, derived)
            recs = [reconstruct_study(study_id, groups, derived, seed=seed, tests=tests, studies=studies,
                                      scenario=scenario) for scenario in scenarios]
        except ValueError as exc:
            fail(f"{study_id}: {exc}")
        for rec in recs:
            folder = out / folder_name(study_id, rec.scenario)
            write_diaries(rec.data, folder)
            results.append({
                "study_id": study_id,
                "scenario": rec.scenario,
                "folder": str(folder),
                "participants": len(rec.data.participants),
                "all_targeted_match": bool(rec.summary.loc[rec.summary["targeted"], "matches"].all()),
                "summary": rec.summary.to_dict(orient="records"),
                "assumptions": list(rec.assumptions),
            })
    emit({"seed": seed, "synthetic": True,
          "label": "RECONSTRUCTED (synthetic) data — not the studies' data", "studies": results}, as_json)


def register(app: typer.Typer) -> None:
    """Add the ``reconstruct`` command to ``app``."""
    app.command("reconstruct")(reconstruct)
