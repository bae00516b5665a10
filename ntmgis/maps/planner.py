"""The planners' map: every criterion, gap and target of the district plan on one offline page.

Built from an :class:`ntmgis.assessment.Assessment` and its workspace; the map only *looks up*
what the Assessment decided (verdicts, gaps, schedule status, upgrade segments, market gaps) and
turns it into layers, legends and texts of :mod:`ntmgis.maps.page`. It computes no indicator.

Layers, bottom to top (:mod:`ntmgis.maps.layers`): communes (current level, evaluated level,
target, schedule, criteria met, the plan year by year, and one colouring per criterion at the
commune's target level), production zones, villages (model-village status and schedule), villages
lacking a culture house, villages out of market reach, canals, roads by class, segments to upgrade,
facilities, markets. Panels (summary, year control, sources, title): :mod:`ntmgis.maps.panels`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from ..labels import LANGUAGES, words
from . import layers as _layers
from ._common import ui
from .page import MapLayer, MapPage, SummaryTable, map_page
from .panels import planner_provenance, planner_summary, planner_timeline, planner_title
from .static_image import Orientation, PrintMap, print_map, print_themes

if TYPE_CHECKING:
    from ..assessment import Assessment
    from ..units_view import UnitsView
    from ..workspace import Workspace

__all__ = [
    "build_planner_map",
    "planner_map",
    "build_planner_png",
    "build_planner_print",
    "planner_print_themes",
    "planner_layers",
    "planner_summary",
    "planner_provenance",
    "planner_timeline",
    "planner_title",
]


def planner_layers(workspace: Workspace, assessment: Assessment, *, lang: str = "vi") -> list[MapLayer]:
    """The layers of the planners' map, bottom to top (only those the workspace has).

    Parameters
    ----------
    workspace : ntmgis.workspace.Workspace
    assessment : ntmgis.assessment.Assessment
        ``assess(workspace)``; nothing is recomputed here.
    lang : {"vi", "en"}

    Returns
    -------
    list of MapLayer
        Ids ``communes, production_zones, villages, villages_without_culture_house, market_gaps,
        canals, roads, segments_to_upgrade, facilities, markets``.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    found: list[MapLayer | None] = [_layers.commune_layer(workspace, assessment, lang=lang)]
    if workspace.has_layer("production_zones"):
        found.append(_layers.zone_layer(workspace, assessment, lang=lang))
    if workspace.has_layer("villages"):
        found += [
            _layers.village_layer(workspace, assessment, lang=lang),
            _layers.culture_house_gap_layer(workspace, assessment, lang=lang),
            _layers.market_gap_layer(workspace, assessment, lang=lang),
        ]
    if workspace.has_layer("canals"):
        found.append(_layers.canal_layer(workspace, lang=lang))
    if workspace.has_layer("roads"):
        found += [
            _layers.road_layer(workspace, lang=lang),
            _layers.upgrade_layer(workspace, assessment, lang=lang),
        ]
    if workspace.has_layer("facilities"):
        found.append(_layers.facility_layer(workspace, lang=lang))
    if workspace.has_layer("markets"):
        found.append(_layers.market_layer(workspace, lang=lang))
    return [layer for layer in found if layer is not None]


def build_planner_map(
    workspace: Workspace,
    assessment: Assessment,
    *,
    lang: str = "vi",
    title: str | None = None,
    highlight: Mapping[str, Iterable[str]] | None = None,
    extra_layers: Sequence[MapLayer] = (),
    summary: Sequence[SummaryTable] | None = None,
    basemap: str | None = None,
    basemap_attribution: str | None = None,
    units: UnitsView | None = None,
) -> str:
    """HTML of the planners' map of ``workspace`` as ``assessment`` judged it.

    Parameters
    ----------
    workspace : ntmgis.workspace.Workspace
    assessment : ntmgis.assessment.Assessment
        ``ntmgis.assessment.assess(workspace)``; the map computes nothing itself.
    lang : {"vi", "en"}
        Language of every label and of the number format (1.234,5 in Vietnamese).
    title : str, optional
        Default :func:`planner_title`.
    highlight : mapping of layer id to keys, optional
        Features to outline strongly, e.g. ``{"communes": ["07324"]}`` for the communes a scenario
        changes (commune codes, village ids, segment ids; upgrade segments are
        ``"<segment_id>@<commune_code>"``).
    extra_layers : sequence of MapLayer
        Drawn on top of the planner layers (e.g. a scenario's new roads).
    summary : sequence of SummaryTable, optional
        Replaces the default summary panel (:func:`planner_summary`), e.g. with a scenario diff.
    basemap, basemap_attribution : str, optional
        Opt-in online tiles (see :func:`ntmgis.maps.page.render_map`).
    units : UnitsView, optional
        The assessment in later units (:func:`ntmgis.units_view.rolled_up`): their polygons are
        drawn on top (popups list the old units) and the sources panel names both periods.

    Returns
    -------
    str
        The page; write it with :func:`ntmgis.io.write_text_atomic`.

    Examples
    --------
    >>> from ntmgis.assessment import assess
    >>> from ntmgis.workspace import load_workspace
    >>> ws = load_workspace()  # doctest: +SKIP
    >>> html = build_planner_map(ws, assess(ws), lang="en")  # doctest: +SKIP
    """
    return planner_map(
        workspace,
        assessment,
        lang=lang,
        title=title,
        highlight=highlight,
        extra_layers=extra_layers,
        summary=summary,
        basemap=basemap,
        basemap_attribution=basemap_attribution,
        units=units,
    ).html


def planner_map(
    workspace: Workspace,
    assessment: Assessment,
    *,
    lang: str = "vi",
    title: str | None = None,
    highlight: Mapping[str, Iterable[str]] | None = None,
    extra_layers: Sequence[MapLayer] = (),
    summary: Sequence[SummaryTable] | None = None,
    basemap: str | None = None,
    basemap_attribution: str | None = None,
    units: UnitsView | None = None,
) -> MapPage:
    """The page of :func:`build_planner_map` (same parameters) and the features it could not draw.

    ``ntmgis map`` prints :attr:`~ntmgis.maps.page.MapPage.undrawn` as ``validate`` prints its
    problems (and exits 1 on them with ``--strict``); the page lists them in its sources panel.

    Returns
    -------
    ntmgis.maps.page.MapPage

    Examples
    --------
    >>> from ntmgis.assessment import assess
    >>> from ntmgis.workspace import load_workspace
    >>> ws = load_workspace()  # doctest: +SKIP
    >>> page = planner_map(ws, assess(ws), lang="en")  # doctest: +SKIP
    >>> page.undrawn  # the sample draws every feature  # doctest: +SKIP
    ()
    """
    layers = planner_layers(workspace, assessment, lang=lang)
    if highlight:
        known = {layer.id for layer in layers}
        unknown = sorted(set(highlight) - known)
        if unknown:
            raise ValueError(f"highlight names unknown layers {unknown}; known: {sorted(known)}")
        layers = [_with_highlight(layer, highlight.get(layer.id, ())) for layer in layers]
    provenance = planner_provenance(workspace, assessment, lang=lang)
    if units is not None:
        from .layers.units import units_layer

        layers += [layer for layer in (units_layer(units, lang=lang),) if layer is not None]
        provenance.append(units_note(units, lang))
    return map_page(
        [*layers, *extra_layers],
        title=planner_title(workspace, assessment, lang=lang) if title is None else title,
        lang=lang,
        note=workspace.note(lang),
        provenance=provenance,
        summary=planner_summary(workspace, assessment, lang=lang) if summary is None else summary,
        timeline=planner_timeline(workspace, assessment, lang=lang),
        basemap=basemap,
        basemap_attribution=basemap_attribution,
    )


def units_note(units: UnitsView, lang: str) -> str:
    """The sources-panel line of a map in later units: which units, from which, by which crosswalk."""
    from pathlib import Path

    return words("units_view", lang)["note"].format(
        period=units.to_period, start=units.from_period, file=Path(units.crosswalk_file).name
    )


def _with_highlight(layer: MapLayer, keys: Iterable[str]) -> MapLayer:
    keys = [str(k) for k in keys]
    if not keys:
        return layer
    missing = sorted(set(keys) - {str(k) for k in layer.keys})
    if missing:
        raise ValueError(f"highlight: layer {layer.id!r} has no features {missing[:5]}")
    return replace(layer, highlight=keys)


def build_planner_print(
    workspace: Workspace,
    assessment: Assessment,
    *,
    lang: str = "vi",
    title: str | None = None,
    theme: str | None = None,
    paper: str = "A4",
    orientation: Orientation | None = None,
    dpi: int = 150,
) -> PrintMap:
    """The print map of the planners' map (:func:`ntmgis.maps.static_image.print_map`): the
    layers shown when the HTML page opens, each on the theme the page opens on (or ``theme``,
    a name of :func:`planner_print_themes`), with legend counts, scale bar, north arrow, the
    sample-data note, and the as-of date, plan, criteria sets and source files in the margin.

    Examples
    --------
    >>> from ntmgis.assessment import assess
    >>> from ntmgis.workspace import load_workspace
    >>> ws = load_workspace()  # doctest: +SKIP
    >>> drawn = build_planner_print(ws, assess(ws), theme="criterion_2", paper="A3")  # doctest: +SKIP
    >>> pdf = drawn.save("pdf")  # doctest: +SKIP
    """
    layers = planner_layers(workspace, assessment, lang=lang)
    return print_map(
        layers,
        title=planner_title(workspace, assessment, lang=lang) if title is None else title,
        lang=lang,
        note=workspace.note(lang),
        credits=_print_credits(workspace, assessment, lang),
        theme=theme,
        paper=paper,
        orientation=orientation,
        dpi=dpi,
    )


def planner_print_themes(workspace: Workspace, assessment: Assessment, *, lang: str = "vi") -> list[str]:
    """The names ``--theme`` takes for the planners' print map: the commune themes by id
    (``evaluated``, ``criterion_2``, ``plan_2024`` …), the other layers' as ``layer:theme``."""
    return list(print_themes(planner_layers(workspace, assessment, lang=lang)))


def print_margin_texts(workspace: Workspace, assessment: Assessment, *, lang: str = "vi") -> list[str]:
    """The words of the print map's margins, in ``lang``: title, sample note (when a sample) and
    the bottom line of sources (what :func:`build_planner_print` prints around the map).

    Examples
    --------
    >>> from ntmgis.assessment import assess
    >>> from ntmgis.workspace import load_workspace
    >>> ws = load_workspace()  # doctest: +SKIP
    >>> print_margin_texts(ws, assess(ws), lang="en")[0]  # doctest: +SKIP
    'Tân Yên district — new rural development map, assessed in 2023'
    """
    note = workspace.note(lang)
    return [
        planner_title(workspace, assessment, lang=lang),
        *([note] if note else []),
        _print_credits(workspace, assessment, lang),
    ]


def _print_credits(workspace: Workspace, assessment: Assessment, lang: str) -> str:
    """The bottom margin: as-of date, then the sources panel of the page, one line."""
    t = ui(lang)
    as_of = assessment.provenance.as_of.strftime("%d/%m/%Y")
    lines = [t["print_as_of"].format(date=as_of), *planner_provenance(workspace, assessment, lang=lang)]
    return f"{t['print_sources']}: " + " · ".join(lines)


def build_planner_png(
    workspace: Workspace,
    assessment: Assessment,
    *,
    lang: str = "vi",
    title: str | None = None,
    theme: str | None = None,
    paper: str = "A4",
    orientation: Orientation | None = None,
    dpi: int = 150,
    fmt: Literal["png", "pdf"] = "png",
) -> bytes:
    """PNG (or PDF) bytes of :func:`build_planner_print` (same parameters).

    Returns
    -------
    bytes
        Write them with :func:`ntmgis.io.write_bytes_atomic` (or any binary write).
    """
    drawn = build_planner_print(
        workspace,
        assessment,
        lang=lang,
        title=title,
        theme=theme,
        paper=paper,
        orientation=orientation,
        dpi=dpi,
    )
    return drawn.save(fmt)
