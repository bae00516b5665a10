"""The ``ntmgis`` command.

Exit codes: 0 ok; 1 findings that fail a check the user asked for (``validate --strict``);
2 bad input, with a message naming the file, the row and what to do; 3 an internal error (a bug:
a short message asking for a report, the traceback only with ``--debug``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .cli_export import _add_export_parser, _cmd_export, write_exports
from .cli_outputs import EXIT_INTERRUPTED, Interrupted, command_outputs, interruptible
from .cli_plan import _add_plan_parser, _cmd_plan
from .labels import text
from .problems import DataError, Problem, ProblemReport

if TYPE_CHECKING:  # pandas is imported by the commands that need it, not at start-up
    from contextlib import AbstractContextManager
    from datetime import date

    import pandas as pd

    from .assessment import Assessment
    from .cli_outputs import Stage
    from .progress import Progress
    from .scenario import Comparison, Scenario
    from .units_view import UnitsView
    from .workspace import Workspace

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def _add_validate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``validate`` command's options."""
    validate = commands.add_parser(
        "validate",
        help="check a workspace (or one file) against the layer contracts",
        description="Read every layer and table of a workspace, check them against their "
        "contracts and list every problem (file, layer, feature, problem, action).",
    )
    validate.add_argument("workspace", nargs="?", help="workspace folder or workspace.yaml")
    validate.add_argument("--file", type=Path, help="validate a single layer/table file instead")
    validate.add_argument(
        "--as", dest="contract", help="contract of --file (roads, communes, commune_status...)"
    )
    validate.add_argument("--crs", help="CRS of --file when it has none (e.g. EPSG:9214)")
    validate.add_argument(
        "--strict", action="store_true", help="exit 1 when there are warnings (repairs) too"
    )
    validate.add_argument("-o", "--out", type=Path, help="also write the problems to this CSV")
    validate.add_argument(
        "--scenario", type=Path, help="also check this scenario file against the workspace (as scenario run)"
    )
    validate.add_argument("--lang", choices=("vi", "en"), default="vi", help="message language")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ntmgis",
        description="GIS toolkit for the New Rural Development programme (Nông thôn mới). "
        "Every command takes a workspace (a folder or workspace.yaml; default: the "
        "embedded Tân Yên illustrative sample).",
        epilog="Exit codes: 0 ok, 1 findings with --strict (or a plan sheet with errors), "
        "2 bad input (the message names the file and the fix), 3 internal error (a bug: please "
        "report it with the output of --debug).",
    )
    parser.add_argument("--version", action="version", version=f"ntmgis {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an internal error")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _add_validate(commands)

    map_cmd = commands.add_parser(
        "map",
        help="write the planners' map as one offline HTML file (and optionally a PNG)",
        description="Assess the workspace and write the planners' map: one self-contained HTML file "
        "(no network needed to view it) with every criterion, gap and plan target.",
    )
    map_cmd.add_argument("workspace", nargs="?", help="workspace folder or workspace.yaml")
    map_cmd.add_argument(
        "-o",
        "--out",
        type=Path,
        default=None,
        help="output HTML file (default: out/<district>_map.html, e.g. out/tan_yen_map.html)",
    )
    map_cmd.add_argument(
        "--png",
        type=Path,
        metavar="PATH",
        help="also write the print map: PNG, or PDF when PATH ends in .pdf (legend, scale bar, sample note)",
    )
    _add_print_options(map_cmd)
    map_cmd.add_argument("--lang", choices=("vi", "en"), default="vi", help="label language")
    map_cmd.add_argument("--year", type=int, help="assessment year (default: the workspace's status year)")
    map_cmd.add_argument(
        "--criteria-set",
        dest="criteria_set",
        default=None,
        help="criteria set id, or auto (by assessment date; default)",
    )
    map_cmd.add_argument(
        "--market-radius",
        dest="market_radius",
        type=_radius,
        default=None,
        metavar="M",
        help="villages farther than this by road from a market form the market gap "
        "(an analysis assumption, not an NTM rule; default: the workspace's market_radius_m, "
        "else 2000 m)",
    )
    _add_network_options(map_cmd)
    _add_cost_options(map_cmd)
    _add_progress_options(map_cmd)
    _add_units_options(map_cmd)
    _add_closing_options(map_cmd)
    map_cmd.add_argument(
        "--basemap",
        metavar="URL_TEMPLATE",
        help="opt-in online tile layer, e.g. a {z}/{x}/{y} URL (needs network when viewing)",
    )

    report = commands.add_parser(
        "report",
        help="evaluate the criteria against the plan and write an XLSX (+ CSV) report",
        description="Evaluate every commune and village against the criteria set of the "
        "assessment date and the district plan; write the workbook and CSV files.",
    )
    report.add_argument("workspace", nargs="?", help="workspace folder or workspace.yaml")
    report.add_argument(
        "-o",
        "--out",
        type=Path,
        default=None,
        help="output workbook (default: out/<district>_report.xlsx); CSVs go to <stem>_csv/",
    )
    report.add_argument("--lang", choices=("vi", "en"), default="vi", help="header language")
    report.add_argument(
        "--as-of",
        dest="as_of",
        metavar="DATE|YEAR",
        help="assessment date or year (default: the workspace's status year)",
    )
    report.add_argument(
        "--criteria-set",
        dest="criteria_set",
        default=None,
        help="criteria set id, or auto (by assessment date; default)",
    )
    report.add_argument(
        "--prefer",
        choices=("computed", "reported"),
        default="computed",
        help="which wins when a measured and a reported verdict differ",
    )
    report.add_argument(
        "--market-radius",
        dest="market_radius",
        type=_radius,
        default=None,
        metavar="M",
        help="villages farther than this by road from a market form the market gap "
        "(an analysis assumption, not an NTM rule; default: the workspace's market_radius_m, "
        "else 2000 m)",
    )
    _add_network_options(report)
    _add_cost_options(report)
    report.add_argument("--no-csv", action="store_true", help="write the workbook only")
    report.add_argument(
        "--gpkg", type=Path, metavar="PATH", help="also write the styled GeoPackage (as export)"
    )
    _add_units_options(report)
    _add_closing_options(report)
    _add_progress_options(report)
    _add_export_parser(commands)

    scenario = commands.add_parser(
        "scenario",
        help="run what-if scenarios from a YAML file and compare them with the baseline",
        description="Apply the scenarios of a YAML file to the workspace (files are never modified), "
        "assess each and write the comparison (XLSX + CSV) and a diff map per scenario.",
    )
    scenario_commands = scenario.add_subparsers(dest="scenario_command", required=True, metavar="ACTION")
    scenario_run = scenario_commands.add_parser("run", help="run and compare the scenarios of FILE")
    scenario_run.add_argument("file", type=Path, help="scenario YAML (one scenario, or {scenarios: [...]})")
    scenario_run.add_argument("workspace", nargs="?", help="workspace folder or workspace.yaml")
    scenario_run.add_argument(
        "-o",
        "--out",
        type=Path,
        default=None,
        help="comparison workbook (default: out/<district>_scenario.xlsx); CSVs go to <stem>_csv/, "
        "diff maps to <stem>_<scenario>.html",
    )
    scenario_run.add_argument("--lang", choices=("vi", "en"), default="vi", help="map language")
    scenario_run.add_argument("--no-map", action="store_true", help="do not write the diff maps")
    _add_progress_options(scenario_run)
    _add_units_options(scenario_run)

    _add_plan_parser(commands)

    sample = commands.add_parser(
        "sample",
        help="regenerate the embedded illustrative sample district",
        description="Write the deterministic illustrative Tân Yên sample workspace. Files of the "
        "folder that differ from the generated ones (an edited workspace) are not "
        "overwritten unless --force is given.",
    )
    sample.add_argument(
        "-o",
        "--out",
        type=Path,
        default=None,
        help="folder (default: the packaged sample, ntmgis/datasets/tan_yen/)",
    )
    sample.add_argument("--seed", type=int, default=2021, help="random seed (default: 2021)")
    sample.add_argument(
        "--force", action="store_true", help="overwrite files that differ from the generated sample"
    )
    sample.add_argument("--lang", choices=("vi", "en"), default="vi", help="message language")
    for command in _commands(parser):  # --debug also after the command: ntmgis report --debug
        command.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
    return parser


def _commands(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parsers of every command and action (``report``, ``scenario run``, ``plan init``...)."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found.extend(_commands(sub) or [sub])
    return found


def _add_progress_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "-q", "--quiet", action="store_true", help="no progress on stderr (shown only on a terminal)"
    )
    # For tests: show every step, however short (the progress is shown once a step passes 2 s).
    command.add_argument(
        "--progress-after", dest="progress_after", type=float, default=2.0, help=argparse.SUPPRESS
    )


def _progress(args: argparse.Namespace) -> Progress:
    """The command's progress on stderr: silent off a terminal and with ``--quiet``."""
    from .progress import terminal_progress

    return terminal_progress(sys.stderr, quiet=args.quiet, after_s=args.progress_after)


def _step(
    args: argparse.Namespace, progress: Progress, key: str, **fields: object
) -> AbstractContextManager[None]:
    """One named step of ``progress``, in the command's language."""
    return progress.step(_say(args, f"step_{key}", **fields))


def _say(args: argparse.Namespace, key: str, **fields: object) -> str:
    """A message of the command in the language asked for (``--lang``; Vietnamese by default)."""
    return text(f"cli.{key}", getattr(args, "lang", "vi"), **fields)


def _print_report(args: argparse.Namespace, report: ProblemReport, limit: int = 40) -> None:
    """One line per kind of problem on stderr, errors first, at most ``limit`` lines (a screenful)."""
    if len(report):
        lines = report.format(lang=getattr(args, "lang", "vi")).splitlines()
        if len(lines) > limit:
            lines = lines[:limit] + [_say(args, "more_kinds", count=len(lines) - limit)]
        print("\n".join(lines), file=sys.stderr)
    errors = len(report.errors)
    print(_say(args, "problem_counts", errors=errors, others=len(report) - errors), file=sys.stderr)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .io import write_text_atomic
    from .io.outputs import refuse_inputs_as_outputs
    from .io.safe_text import safe_csv_frame
    from .workspace.inputs import file_parts, workspace_inputs

    if args.out is not None:
        inputs = file_parts(args.file) if args.file is not None else workspace_inputs(args.workspace)
        if getattr(args, "scenario", None) is not None:
            inputs = [*inputs, *file_parts(args.scenario)]
        refuse_inputs_as_outputs([args.out], inputs)
    with command_outputs(args, [args.out]) as stage:
        report = _validate_report(args)
        if report is not None:
            _print_report(args, report)
        if args.out is not None and report is not None:
            write_text_atomic(stage(args.out), safe_csv_frame(report.to_frame(args.lang)).to_csv(index=False))
    if report is None:
        return EXIT_BAD_INPUT
    if not report.ok:
        return EXIT_BAD_INPUT
    if args.strict and len(report):
        return EXIT_FINDINGS
    return EXIT_OK


def _validate_report(args: argparse.Namespace) -> ProblemReport | None:
    """The problems ``validate`` finds (None: the contract asked for with ``--as`` is unknown)."""
    from .io import read_layer, read_table
    from .validate import validate_layer, validate_table
    from .vocab import contracts
    from .workspace import inspect_workspace

    if args.file is not None:
        specs = contracts()
        if args.contract not in specs["layers"] and args.contract not in specs["tables"]:
            known = ", ".join([*specs["layers"], *specs["tables"]])
            print(f"ntmgis validate: {_say(args, 'needs_contract', known=known)}", file=sys.stderr)
            return None
        if args.contract in specs["layers"]:
            read = read_layer(
                args.file,
                name=args.contract,
                crs=args.crs,
                id_column=specs["layers"][args.contract].get("id"),
            )
            checked = validate_layer(read.frame, args.contract, file=str(args.file))
        else:
            read = read_table(args.file, name=args.contract)
            checked = validate_table(read.frame, args.contract, file=str(args.file))
        report = ProblemReport(read.problems + checked.problems)
    else:
        workspace, report = inspect_workspace(args.workspace)
        if workspace is not None:
            report = report + _criteria_check(workspace) + _network_check(workspace)
        if getattr(args, "scenario", None) is not None:
            report = report + _scenario_check(args.scenario, workspace)
    return report


def _scenario_check(path: Path, workspace: Workspace | None) -> list[Problem]:
    """Every problem ``scenario run`` would refuse in a scenario file: layout, types, then values
    against the workspace (years before the plan, points far outside the district)."""
    from .scenario import load_scenarios

    try:
        scenarios = load_scenarios(path)
    except DataError as exc:
        return list(exc.problems)
    return [] if workspace is None else _scenario_values(scenarios, path, workspace)


def _scenario_values(scenarios: list[Scenario], path: Path, workspace: Workspace) -> list[Problem]:
    """The values of scenarios against the workspace (``ntmgis.scenario.yaml.scenario_value_problems``)."""
    from .scenario.yaml import scenario_value_problems

    first_year = workspace.plan.period()[0] if workspace.plan is not None else None
    communes = workspace.communes
    bounds = tuple(float(v) for v in communes.total_bounds) if len(communes) else None
    return scenario_value_problems(scenarios, source=str(path), first_year=first_year, bounds=bounds)  # type: ignore[arg-type]


def _criteria_check(workspace: Workspace) -> list[Problem]:
    """What ``map`` and ``report`` would refuse about the criteria (set, overrides, region), said now."""
    from .criteria.evaluate import check_workspace_criteria

    return check_workspace_criteria(workspace)


def _network_check(workspace: Workspace) -> list[Problem]:
    """A cut road layer said by ``validate``, before any command computes reach on it.

    Not said when ``network: {node: true}`` asks for the repair: the assessment reports the noding.
    """
    from .analysis import check_road_network
    from .analysis.graph import network_problems

    if not workspace.has_layer("roads") or workspace.network["node"]:
        return []
    check = check_road_network(workspace.layer("roads"), snap_m=float(workspace.network["snap_m"]))
    return network_problems(check, file=str(workspace.sources.get("roads", "")))


def _add_cost_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--unit-costs",
        dest="unit_costs",
        type=Path,
        metavar="FILE",
        help="road unit prices (CSV/XLSX: road_class, target_surface, million_vnd_per_km; default: the "
        "workspace's unit_costs:, else ntmgis's illustrative table)",
    )
    command.add_argument(
        "--canal-unit-costs",
        dest="canal_unit_costs",
        type=Path,
        metavar="FILE",
        help="canal lining unit prices (canal_level, target_lining, million_vnd_per_km)",
    )


def _unit_cost_tables(args: argparse.Namespace) -> dict[str, pd.DataFrame]:
    """``unit_costs``/``canal_unit_costs`` keyword arguments of assess() from the command's files."""
    from .io import read_unit_costs

    tables: dict[str, pd.DataFrame] = {}
    for option, network in (("unit_costs", "roads"), ("canal_unit_costs", "canals")):
        path = getattr(args, option, None)
        if path is not None:
            tables[option] = read_unit_costs(path, network).frame
    return tables


def _radius(raw: str) -> float:
    """``--market-radius``: metres, a positive number (else a usage error, exit 2)."""
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1_000_000:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a positive number of metres")
    return value


def _add_network_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--node-roads",
        dest="node_roads",
        action="store_const",
        const=True,
        default=None,
        help="node the road layer before market reach: give crossings a shared vertex and join road "
        "ends within --snap-m of another road (the layer is checked either way; default: the "
        "workspace's network: node)",
    )
    command.add_argument(
        "--snap-m",
        dest="snap_m",
        type=float,
        default=None,
        metavar="M",
        help="largest gap between a road end and another road treated as a junction (default: the "
        "workspace's network: snap_m, else 2 m)",
    )


def _add_units_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--units",
        metavar="PERIOD",
        help="also show the assessment in the units of a later period (e.g. 2025-07), rolled up "
        "through the crosswalk",
    )
    command.add_argument(
        "--crosswalk",
        type=Path,
        metavar="CSV",
        help="crosswalk for --units (default: crosswalk: of workspace.yaml, else the packaged Tân Yên one)",
    )
    command.add_argument(
        "--units-polygons",
        dest="units_polygons",
        type=Path,
        metavar="FILE",
        help="your own polygons of the --units units (commune_code column): drawn, and the roads and "
        "canals re-cut by them and compared with the roll-up",
    )
    command.add_argument(
        "--units-groups",
        dest="units_groups",
        type=Path,
        metavar="CSV",
        help="commune group of each --units unit (commune_code, commune_group: nhom_1/2/3), for the "
        "2026–2030 thresholds of criteria_overrides (default: a commune_group column of --units-polygons)",
    )


def _iso_date(value: str) -> date:
    """A ``YYYY-MM-DD`` option value (argparse names the option and exits 2 on anything else)."""
    from datetime import date as _date

    try:
        return _date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {value!r}") from None


def _add_closing_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--closing-date",
        dest="closing_date",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="main date of the closing account of the plan (default: 31 December of the plan's last year)",
    )
    command.add_argument(
        "--handover-date",
        dest="handover_date",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="second date of the closing account, before the closing date (default: 2025-06-30, the "
        "handover of the district's units)",
    )


def _closing_dates(args: argparse.Namespace, workspace: Workspace) -> tuple[date, ...] | None:
    """``--closing-date`` / ``--handover-date`` as the closing account's dates (None: the defaults).

    Refused (ValueError, exit 2): a handover not before the closing date, or a closing date before
    the plan's first year; each message names the option and both dates.
    """
    from .criteria.closing import HANDOVER, closing_dates

    closing, handover = getattr(args, "closing_date", None), getattr(args, "handover_date", None)
    if closing is None and handover is None:
        return None
    main_date = closing if closing is not None else closing_dates(workspace.plan)[0]
    if workspace.plan is not None and main_date.year < workspace.plan.period()[0]:
        first, last = workspace.plan.period()
        raise ValueError(f"--closing-date {main_date.isoformat()} is before the plan's period {first}–{last}")
    second = HANDOVER if handover is None else handover
    if handover is not None and handover >= main_date:
        raise ValueError(
            f"--handover-date {handover.isoformat()} must be before the closing date {main_date.isoformat()}"
        )
    return (main_date, second) if second < main_date else (main_date,)


def _units_view(args: argparse.Namespace, workspace: Workspace, assessment: Assessment) -> UnitsView | None:
    from .units_recut import read_units_groups
    from .units_view import workspace_units_view

    if args.units is None:
        return None
    view = workspace_units_view(
        workspace,
        assessment,
        to=args.units,
        crosswalk=args.crosswalk,
        polygons=args.units_polygons,
        groups=None if args.units_groups is None else read_units_groups(args.units_groups),
    )
    if view.problems:
        _print_report(args, ProblemReport(view.problems))
    return view


def _default_out(out: Path | None, workspace: Workspace, what: str) -> Path:
    """``out`` as given, else ``out/<district>_<what>`` named after the workspace (tan_yen_map.html)."""
    from .district import workspace_slug

    return out if out is not None else Path("out") / f"{workspace_slug(workspace)}_{what}"


def _cmd_map(args: argparse.Namespace) -> int:
    from .workspace import load_workspace

    print_options = ("theme", "paper", "orientation", "dpi")
    if args.png is None and any(getattr(args, k) is not None for k in print_options):
        raise ValueError(_say(args, "print_needs_png"))
    if args.out is not None:  # before any reading, then again for the default name
        _refuse_overwrite(args, [args.out])
    progress = _progress(args)
    with _step(args, progress, "read"):
        workspace = load_workspace(args.workspace)
    args.out = _default_out(args.out, workspace, "map.html")
    _refuse_overwrite(args, [args.out] + ([args.png] if args.png is not None else []))
    with command_outputs(args, [args.out, args.png]) as stage:
        _write_map(args, workspace, progress, stage)
    print(_say(args, "wrote", path=args.out))
    if args.png is not None:
        print(_say(args, "wrote", path=args.png))
    return EXIT_OK


def _write_map(args: argparse.Namespace, workspace: Workspace, progress: Progress, stage: Stage) -> None:
    """The map's page (and print) into ``stage``: the assessment, the print first, then the page."""
    from .io import write_bytes_atomic, write_text_atomic
    from .maps import build_planner_map, build_planner_png

    assessment = _assess(args, workspace, progress, as_of=args.year)
    printed = None
    if args.png is not None:  # first: an unknown --theme stops before anything is written
        with _step(args, progress, "png"):
            printed = build_planner_png(
                workspace,
                assessment,
                lang=args.lang,
                theme=args.theme,
                paper=args.paper or "A4",
                orientation=args.orientation,
                dpi=args.dpi or 150,
                fmt="pdf" if Path(args.png).suffix.lower() == ".pdf" else "png",
            )
    units = _units_view(args, workspace, assessment)
    with _step(args, progress, "map"):
        html = build_planner_map(workspace, assessment, lang=args.lang, basemap=args.basemap, units=units)
        write_text_atomic(stage(args.out), html)
    if args.png is not None and printed is not None:
        write_bytes_atomic(stage(args.png), printed)


def _add_print_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--theme", help="what the print map shows, as on the web map (default: its default)")
    cmd.add_argument("--paper", choices=("A4", "A3"), default=None, help="print map sheet (default A4)")
    cmd.add_argument("--orientation", choices=("portrait", "landscape"), default=None)
    cmd.add_argument("--dpi", type=_dpi, default=None, help="print map resolution, 72-600 (default 150)")


def _dpi(value: str) -> int:
    from .maps.static_image import DPI_RANGE

    if not value.isdigit() or not DPI_RANGE[0] <= int(value) <= DPI_RANGE[1]:
        raise argparse.ArgumentTypeError(f"{value!r} is not within {DPI_RANGE[0]}-{DPI_RANGE[1]}")
    return int(value)


def _as_of(value: str | None) -> int | str | None:
    """``--as-of``: a year given alone is a year, anything else a date text."""
    return int(value) if value and value.isdigit() else value


def _assess(
    args: argparse.Namespace, workspace: Workspace, progress: Progress, *, as_of: int | str | None
) -> Assessment:
    """The one assessment of ``map``, ``report`` and ``export``, from their shared options."""
    from .assessment import assess

    with _step(args, progress, "assess"):
        return assess(
            workspace,
            as_of=as_of,
            criteria_set=args.criteria_set,
            prefer=getattr(args, "prefer", "computed"),
            market_radius_m=args.market_radius,
            node_roads=args.node_roads,
            snap_m=args.snap_m,
            closing_dates=_closing_dates(args, workspace),
            **_unit_cost_tables(args),
        )


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report
    from .workspace import load_workspace

    if args.out is not None:  # before any reading, then again for the default name
        _refuse_overwrite(args, [args.out])
    progress = _progress(args)
    with _step(args, progress, "read"):
        workspace = load_workspace(args.workspace)
    args.out = _default_out(args.out, workspace, "report.xlsx")
    outputs = [args.out] + ([args.gpkg] if args.gpkg is not None else [])
    folders = [] if args.no_csv else [_csv_folder(args.out)]
    _refuse_overwrite(args, outputs, folders=folders)
    with command_outputs(args, outputs + folders) as stage:
        assessment = _assess(args, workspace, progress, as_of=_as_of(args.as_of))
        units = _units_view(args, workspace, assessment)
        with _step(args, progress, "report"):
            files = write_report(
                workspace, assessment, stage(args.out), lang=args.lang, csv=not args.no_csv, units=units
            )
        write_exports(args, workspace, assessment, progress, stage=stage)
    print(
        _say(args, "wrote_with_csv", path=args.out, count=len(files.csv_files))
        if files.csv_files
        else _say(args, "wrote", path=args.out)
    )
    return EXIT_OK


def _csv_folder(workbook: Path) -> Path:
    """Where the CSV files of a workbook go (``<stem>_csv/``, see :func:`ntmgis.report.write_tables`)."""
    return workbook.with_name(f"{workbook.stem}_csv")


def _diff_map_path(workbook: Path, name: str) -> Path:
    """The diff map of scenario ``name`` beside the comparison workbook."""
    import re

    slug = re.sub(r"[^\w-]+", "_", name, flags=re.ASCII).strip("_") or "scenario"
    return workbook.with_name(f"{workbook.stem}_{slug}.html")


def _refuse_overwrite(
    args: argparse.Namespace,
    outputs: Sequence[Path],
    *,
    folders: Sequence[Path] = (),
    also: Sequence[Path | str | None] = (),
) -> None:
    """Refuse (DataError, exit 2) an output that is a file the command reads, before any writing."""
    from .io.outputs import refuse_inputs_as_outputs
    from .workspace.inputs import file_parts, workspace_inputs

    # The plan commands write the workspace's plan (init, from-sheet): there it is the output.
    inputs = workspace_inputs(getattr(args, "workspace", None), plan=args.command != "plan")
    for extra in (*also, getattr(args, "unit_costs", None), getattr(args, "canal_unit_costs", None)):
        if extra is not None and not str(extra).startswith("package:"):
            inputs.extend(file_parts(Path(extra)))
    refuse_inputs_as_outputs(outputs, inputs, folders=folders)


def _scenario_in_units(
    args: argparse.Namespace,
    comparison: Comparison,
    tables: dict[str, pd.DataFrame],
    titles: dict[str, str],
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """``scenario run --units``: the comparison's sheets and those of the runs in the new units."""
    from .scenario import compare_in_units, units_comparison_tables, units_comparison_titles
    from .units_recut import read_units_groups

    units = compare_in_units(
        comparison,
        to=args.units,
        crosswalk=args.crosswalk,
        polygons=args.units_polygons,
        groups=None if args.units_groups is None else read_units_groups(args.units_groups),
    )
    return (
        tables | units_comparison_tables(units, lang=args.lang),
        titles | units_comparison_titles(units, args.lang),
    )


def _cmd_scenario(args: argparse.Namespace) -> int:
    from .scenario import load_scenarios
    from .workspace import load_workspace

    if args.out is not None and args.out.suffix.lower() != ".xlsx":  # before minutes of work, not after
        raise ValueError(f"the comparison is an .xlsx workbook; got {args.out.name!r}")
    scenarios = load_scenarios(args.file)
    if args.out is not None:  # before any reading, then again for the default name
        _refuse_overwrite(args, [args.out], also=[args.file])
    progress = _progress(args)
    with _step(args, progress, "read"):
        workspace = load_workspace(args.workspace)
    value_problems = _scenario_values(scenarios, args.file, workspace)
    if value_problems:
        raise DataError(value_problems)
    args.out = _default_out(args.out, workspace, "scenario.xlsx")
    maps = [] if args.no_map else [_diff_map_path(args.out, s.name) for s in scenarios]
    _refuse_overwrite(args, [args.out, *maps], folders=[_csv_folder(args.out)], also=[args.file])
    with command_outputs(args, [args.out, _csv_folder(args.out), *maps]) as stage:
        count = _write_scenarios(args, workspace, scenarios, progress, stage)
    print(_say(args, "wrote_with_csv", path=args.out, count=count))
    for path in maps:
        print(_say(args, "wrote", path=path))
    return EXIT_OK


def _write_scenarios(
    args: argparse.Namespace,
    workspace: Workspace,
    scenarios: list[Scenario],
    progress: Progress,
    stage: Stage,
) -> int:
    """Run the scenarios, write the comparison workbook (and diff maps) into ``stage``; the CSV count."""
    from .io import write_text_atomic
    from .maps.diff import build_diff_map
    from .report import write_tables
    from .scenario import Scenario, compare, comparison_tables, comparison_titles, run

    with _step(args, progress, "scenario", name="baseline"):
        baseline = run(workspace, Scenario("baseline", as_of=scenarios[0].as_of))
    runs = []
    for scenario in scenarios:
        with _step(args, progress, "scenario", name=scenario.name):
            runs.append(run(workspace, scenario, baseline=baseline.assessment))
    comparison = compare(baseline, *runs)
    tables = comparison_tables(comparison, lang=args.lang)
    titles = comparison_titles(args.lang)
    if args.units is not None:  # the same runs rolled up to the new units (the report's roll-up)
        tables, titles = _scenario_in_units(args, comparison, tables, titles)
    files = write_tables(
        tables, stage(args.out), titles=titles, lang=args.lang, note=workspace.note(args.lang)
    )
    for name in comparison.names[1:]:
        flips = comparison.flips[comparison.flips["scenario"] == name]
        cost = comparison.works.loc[comparison.works["scenario"] == name, "cost_million_vnd"].sum()
        amount = f"{cost:,.0f}".replace(",", ".") if args.lang == "vi" else f"{cost:,.0f}"
        print(_say(args, "scenario_summary", name=name, flips=len(flips), cost=amount))
        if not args.no_map:
            with _step(args, progress, "diff_map", name=name):
                html = build_diff_map(comparison, name, lang=args.lang)
                write_text_atomic(stage(_diff_map_path(args.out, name)), html)
    return len(files.csv_files)


def _cmd_sample(args: argparse.Namespace) -> int:
    from .datasets import get_path
    from .sample import SampleOverwriteError, write_sample

    out = get_path("tan_yen") if args.out is None else args.out
    try:
        paths = write_sample(out, seed=args.seed, force=args.force)
    except SampleOverwriteError as exc:
        print(f"ntmgis sample: {_say(args, 'sample_refused', reason=exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(_say(args, "wrote_files", count=len(paths), folder=out))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    handlers = {
        "validate": _cmd_validate,
        "map": _cmd_map,
        "report": _cmd_report,
        "scenario": _cmd_scenario,
        "sample": _cmd_sample,
        "plan": _cmd_plan,
        "export": _cmd_export,
    }
    try:
        with interruptible():
            return handlers[args.command](args)
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: the temporary outputs are already removed
        signum = exc.signum if isinstance(exc, Interrupted) else 2
        print(f"ntmgis {args.command}: {_say(args, 'interrupted', signal=exc or 'SIGINT')}", file=sys.stderr)
        return EXIT_INTERRUPTED if signum == 2 else 128 + signum
    except DataError as exc:
        print(f"ntmgis {args.command}: {_say(args, 'bad_input')}", file=sys.stderr)
        _print_report(args, ProblemReport(exc.problems))
        return EXIT_BAD_INPUT
    except ValueError as exc:  # bad option values (dates, set ids) named by the callee
        print(f"ntmgis {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"ntmgis {args.command}: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # the one guard: a bug is a short message and exit 3, never a traceback
        if args.debug:
            raise
        message = str(exc).splitlines()[0][:200] if str(exc) else ""
        said = _say(args, "internal_error", kind=type(exc).__name__, message=message)
        print(f"ntmgis {args.command}: {said}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
