"""``dprep render``: render the Quarto reports (Quarto when installed, else the fallback)."""

from __future__ import annotations

import time
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
import yaml

from dprep.cli._common import fail


class Engine(str, Enum):
    """Which renderer to use."""

    auto = "auto"
    quarto = "quarto"
    fallback = "fallback"


def _parse_params(items: list[str]) -> dict[str, Any]:
    params = {}
    for item in items:
        name, sep, value = item.partition(":")
        if not sep or not name:
            fail(f"--param expects name:value, got {item!r}")
        try:
            params[name] = yaml.safe_load(value)
        except yaml.YAMLError as exc:
            fail(f"--param {item!r}: the value is not valid YAML ({getattr(exc, 'problem', None) or exc})")
    return params


def register(app: typer.Typer) -> None:
    """Add the ``render`` command to ``app``."""

    @app.command("render")
    def render(
        project_dir: Path = typer.Argument(Path("reports"), help="Folder holding _quarto.yml."),
        engine: Engine = typer.Option(
            Engine.auto, "--engine", help="quarto, the fallback (Jupyter + pandoc), or auto: quarto if on PATH."
        ),
        output_dir: Optional[Path] = typer.Option(None, "--output-dir", help="Default: the project's output-dir."),
        param: list[str] = typer.Option(
            [], "--param", "-P", help="name:value for the cell tagged 'parameters' (repeatable)."
        ),
    ) -> None:
        """Render every document of the report project to self-contained HTML pages.

        Exit 2 if the project cannot be read (a missing or invalid _quarto.yml, a bad --param), 1 if a
        document fails to render (no page is replaced then).
        """
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from dprep.report.render import RenderError, load_project, render_project

        params = _parse_params(param)
        load_project(project_dir)  # an unreadable project is bad input (exit 2), before any progress is shown
        console = Console(stderr=True)
        started = time.perf_counter()
        columns = (SpinnerColumn(finished_text=""), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=console) as progress:
            current: list[tuple[int, str]] = []

            def finish(mark: str) -> None:
                task, name = current[-1]
                progress.update(task, description=f"{mark} {name}", completed=1)

            def on_document(document: Path, index: int, total: int) -> None:
                if current:
                    finish("[green]✓[/green]")
                name = escape(f"[{index + 1}/{total}] {document.name}")
                current.append((progress.add_task(name, total=1), name))

            try:
                pages = render_project(
                    project_dir, output_dir=output_dir, engine=engine.value, params=params, progress=on_document
                )
            except RenderError as exc:
                if current:
                    finish("[red]✗[/red]")
                progress.stop()
                fail(f"dprep render failed; no page was replaced.\n{exc}", code=1)
            if current:
                finish("[green]✓[/green]")
        console.print(f"Rendered {len(pages)} page(s) in {time.perf_counter() - started:.1f} s:")
        for page in pages:
            console.print(f"  {page}")
