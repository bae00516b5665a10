"""The ``ntmgis`` command line's parser: every command, its options and their help texts.

Built by :func:`_parser` at each start (``ntmgis --help`` imports nothing heavy); the commands'
bodies are in :mod:`ntmgis.cli` and its siblings.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .cli_export import _add_export_parser
from .cli_plan import _add_plan_parser
from .labels import text

if TYPE_CHECKING:
    from datetime import date

__all__ = ["_parser", "parse_arguments"]

#: The language of the refusals of option values: argparse checks an option's type before
#: ``--lang`` is known, so :func:`parse_arguments` finds it in the command line first.
_LANG: ContextVar[str] = ContextVar("ntmgis_cli_lang", default="vi")


def _lang_of(argv: Sequence[str]) -> str:
    """The ``--lang`` of a command line (``--lang en`` or ``--lang=en``), else Vietnamese."""
    for i, token in enumerate(argv):
        value = token.partition("=")[2] if token.startswith("--lang=") else None
        if token == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        if value in ("vi", "en"):
            return value
    return "vi"


def _refusal(key: str, **fields: object) -> str:
    """The message ``cli.<key>`` in the language of the command line being parsed."""
    return text(f"cli.{key}", _LANG.get(), **fields)


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line parsed (``sys.argv`` when None); a refused option value is said in its ``--lang``."""
    tokens = list(sys.argv[1:] if argv is None else argv)
    token = _LANG.set(_lang_of(tokens))
    try:
        return _parser().parse_args(tokens)
    finally:
        _LANG.reset(token)


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
    map_cmd.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when a feature could not be drawn on the page or the print (each is listed "
        "on stderr, as validate lists problems, and in the page's sources panel)",
    )
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


def _add_print_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--theme", help="what the print map shows, as on the web map (default: its default)")
    cmd.add_argument("--paper", choices=("A4", "A3"), default=None, help="print map sheet (default A4)")
    cmd.add_argument("--orientation", choices=("portrait", "landscape"), default=None)
    cmd.add_argument("--dpi", type=_dpi, default=None, help="print map resolution, 72-600 (default 150)")


def _dpi(value: str) -> int:
    from .maps.static_image import DPI_RANGE

    if not value.isdigit() or not DPI_RANGE[0] <= int(value) <= DPI_RANGE[1]:
        raise argparse.ArgumentTypeError(
            _refusal("dpi_out_of_range", value=value, low=DPI_RANGE[0], high=DPI_RANGE[1])
        )
    return int(value)


def _radius(raw: str) -> float:
    """``--market-radius``: metres, a positive number (else a usage error, exit 2)."""
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1_000_000:
        raise argparse.ArgumentTypeError(_refusal("radius_not_positive", value=raw))
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
        raise argparse.ArgumentTypeError(_refusal("not_a_date", value=value)) from None


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
