"""``ntmgis export``: results as layers other tools open (a GeoPackage for QGIS); ``report --gpkg``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .assessment import Assessment
    from .cli_outputs import Stage
    from .progress import Progress
    from .workspace import Workspace


def _add_export_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .cli_parser import _add_cost_options, _add_network_options, _add_progress_options, _radius

    export = commands.add_parser(
        "export",
        help="write the gap layers and the communes with their status as a styled GeoPackage",
        description="Assess the workspace as `report` does and write every gap layer and the "
        "communes (levels, schedule, criteria and indicator values) as GeoPackage layers with "
        "QGIS default styles (the web map's colours and labels).",
    )
    export.add_argument("workspace", nargs="?", help="workspace folder or workspace.yaml")
    # The sinks: one or more (a database sink adds its options here).
    export.add_argument(
        "--gpkg", type=Path, metavar="PATH", help="GeoPackage to write (e.g. out/ket_qua.gpkg)"
    )
    export.add_argument(
        "--postgis",
        metavar="URL",
        help="PostGIS database to write the result layers into (postgresql://user@host:port/db; "
        "give the password through PGPASSWORD or ~/.pgpass rather than in the URL)",
    )
    export.add_argument(
        "--schema",
        default="ket_qua",
        help="schema of --postgis replaced as a whole, in one transaction (default ket_qua)",
    )
    export.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of labels and texts")
    export.add_argument("--as-of", dest="as_of", metavar="DATE|YEAR", help="assessment date or year")
    export.add_argument("--criteria-set", dest="criteria_set", default=None, help="criteria set id, or auto")
    export.add_argument("--prefer", choices=("computed", "reported"), default="computed")
    export.add_argument("--market-radius", dest="market_radius", type=_radius, default=None, metavar="M")
    _add_network_options(export)
    _add_cost_options(export)
    _add_progress_options(export)


def _sinks(args: argparse.Namespace) -> list[Path]:
    """The files the command writes (checked against the inputs before anything is read)."""
    return [args.gpkg] if getattr(args, "gpkg", None) is not None else []


def write_exports(
    args: argparse.Namespace,
    workspace: Workspace,
    assessment: Assessment,
    progress: Progress,
    *,
    stage: Stage | None = None,
) -> None:
    """Write every sink asked for (``--gpkg``, ``--postgis``), saying where each was written.

    ``stage`` maps ``--gpkg`` to where it is written (the command's set of outputs, moved into place
    as one; :mod:`ntmgis.io.output_set`).
    """
    postgis = getattr(args, "postgis", None)
    if args.gpkg is None and postgis is None:
        return  # nothing asked: the exports (maps, matplotlib) are not even imported
    from .cli import _say, _step
    from .export import styled_layers, undrawn_in_export, write_gpkg
    from .io.postgis import redact as redact_url

    layers, styles = styled_layers(workspace, assessment, lang=args.lang)
    output = str(args.gpkg) if args.gpkg is not None else redact_url(str(postgis))
    for problem in undrawn_in_export(layers, styles=styles, output=output):  # never dropped silently
        print(problem.line(args.lang), file=sys.stderr)
    if args.gpkg is not None:
        with _step(args, progress, "gpkg"):
            write_gpkg(layers, args.gpkg if stage is None else stage(args.gpkg), styles=styles)
        print(_say(args, "wrote", path=args.gpkg))
    if postgis is not None:
        from .io.postgis import redact, write_postgis

        with _step(args, progress, "postgis"):
            write_postgis(layers, postgis, schema=args.schema)
        print(_say(args, "wrote", path=f"{redact(postgis)} (schema {args.schema})"))


def _cmd_export(args: argparse.Namespace) -> int:
    from .cli import EXIT_BAD_INPUT, EXIT_OK, _as_of, _assess, _progress, _refuse_overwrite, _say, _step
    from .cli_outputs import command_outputs
    from .workspace import load_workspace

    outputs = _sinks(args)
    if not outputs and args.postgis is None:
        print(f"ntmgis export: {_say(args, 'export_no_sink')}", file=sys.stderr)
        return EXIT_BAD_INPUT
    _refuse_overwrite(args, outputs)
    progress = _progress(args)
    with _step(args, progress, "read"):
        workspace = load_workspace(args.workspace)
    with command_outputs(args, outputs) as stage:
        assessment = _assess(args, workspace, progress, as_of=_as_of(args.as_of))
        write_exports(args, workspace, assessment, progress, stage=stage)
    return EXIT_OK
