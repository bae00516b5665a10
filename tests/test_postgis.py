"""PostGIS as a workspace source and as the results sink, against a real server (tests/postgis_server.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import pyogrio
import pytest
import shapely
import yaml
from geopandas.testing import assert_geodataframe_equal
from postgis_server import PASSWORD, PostgisServer, postgis_server  # noqa: F401 - the fixture

from ntmgis.assessment import assess
from ntmgis.cli import main
from ntmgis.io.postgis import PostgisSource, read_postgis_layer, redact, write_postgis
from ntmgis.problems import DataError
from ntmgis.testing import assert_assessment_equal
from ntmgis.workspace import inspect_workspace, load_workspace
from ntmgis.workspace.config import sample_workspace_path
from ntmgis.workspace.inputs import workspace_inputs

SAMPLE = sample_workspace_path()


def _sample_config() -> dict[str, object]:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


def _raw_sample_layers() -> dict[str, gpd.GeoDataFrame]:
    """The sample's layers as stored in its GeoPackages (before any validation)."""
    layers = {}
    for name, entry in _sample_config()["layers"].items():
        layers[name] = pyogrio.read_dataframe(SAMPLE.parent / entry["path"], layer=entry["layer"])
    return layers


@pytest.fixture(scope="module")
def sample_in_postgis(postgis_server: PostgisServer) -> PostgisServer:  # noqa: F811
    write_postgis(_raw_sample_layers(), postgis_server.url, schema="tan_yen")
    return postgis_server


def _postgis_workspace(folder: Path, url: str, *, override: dict[str, object] | None = None) -> Path:
    """The sample's workspace.yaml with every layer read from schema tan_yen of ``url``."""
    config = _sample_config()
    config["layers"] = {name: f"{url}#tan_yen.{name}" for name in config["layers"]}
    config["layers"].update(override or {})
    config["tables"] = {
        name: {"path": str(SAMPLE.parent / e["path"])} for name, e in config["tables"].items()
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return folder


def test_redact_every_form():
    assert redact(f"postgresql://u:{PASSWORD}@h:1/d#s.t") == "postgresql://u:***@h:1/d#s.t"
    assert redact(f"postgres://u:{PASSWORD}@h/d?password={PASSWORD}") == "postgres://u:***@h/d?password=***"
    assert PASSWORD not in redact(f"x {PASSWORD} y", url=f"postgresql://u:{PASSWORD}@h/d")
    assert redact("postgresql://u@h/d") == "postgresql://u@h/d"


def test_workspace_in_postgis_gives_the_same_assessment(sample_in_postgis, tmp_path):
    folder = _postgis_workspace(tmp_path / "ws", sample_in_postgis.url)
    from_postgis = load_workspace(folder)
    from_files = load_workspace(SAMPLE)
    assert_assessment_equal(assess(from_postgis), assess(from_files))
    shown = repr(dict(from_postgis.sources)) + str(from_postgis.problems)
    assert PASSWORD not in shown and "postgresql://ntmgis_test:***@" in shown
    # No database URL is taken for a file no output may replace.
    assert not any("postgres" in str(p) for p in workspace_inputs(folder))


def test_no_password_in_any_output(sample_in_postgis, tmp_path, capsys):
    import zipfile

    folder = _postgis_workspace(tmp_path / "ws", sample_in_postgis.url)
    out = tmp_path / "out"
    assert main(["validate", str(folder), "--out", str(out / "problems.csv")]) == 0
    assert main(["map", str(folder), "--out", str(out / "map.html")]) == 0
    assert main(["report", str(folder), "--out", str(out / "report.xlsx")]) == 0
    captured = capsys.readouterr()
    assert PASSWORD not in captured.out + captured.err
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 3
    for path in files:
        texts = [path.read_bytes()]
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                texts += [book.read(member) for member in book.namelist()]
        assert not any(PASSWORD.encode() in text for text in texts), path


def test_password_from_pgpassword(sample_in_postgis, tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    url = sample_in_postgis.url_without_password
    read = read_postgis_layer(PostgisSource.from_entry(f"{url}#tan_yen.markets"), name="markets")
    assert len(read.frame) == len(_raw_sample_layers()["markets"]) and read.frame.crs is not None


def test_query_and_table_keys(sample_in_postgis, tmp_path):
    url = sample_in_postgis.url
    override = {
        "roads": {"path": url, "schema": "tan_yen", "table": "roads"},
        "markets": {"path": url, "query": "SELECT * FROM tan_yen.markets;"},
    }
    folder = _postgis_workspace(tmp_path / "ws", url, override=override)
    assert_assessment_equal(assess(load_workspace(folder)), assess(load_workspace(SAMPLE)))


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("case", ["unreachable", "wrong_password", "wrong_table", "missing_column"])
def test_bad_sources_are_exit_2_naming_the_layer(sample_in_postgis, tmp_path, capsys, case):
    server = sample_in_postgis
    url = server.url
    if case == "unreachable":
        url = f"postgresql://ntmgis_test:{PASSWORD}@127.0.0.1:{_closed_port()}/ntmgis"
    elif case == "wrong_password":
        url = server.url.replace(PASSWORD, PASSWORD + "-wrong")
    table = {"wrong_table": "no_such_table", "missing_column": "roads_without_code"}.get(case, "roads")
    if case == "missing_column":
        write_postgis(
            {"roads_without_code": _raw_sample_layers()["roads"].drop(columns=["surface"])},
            server.url,
            schema="broken",
        )
        table = "roads_without_code"
    schema = "broken" if case == "missing_column" else "tan_yen"
    folder = _postgis_workspace(tmp_path / "ws", server.url, override={"roads": f"{url}#{schema}.{table}"})
    workspace, report = inspect_workspace(folder)
    assert workspace is None
    errors = [p for p in report.errors if p.layer == "roads"]
    assert errors, report.errors
    expected = {
        "unreachable": "cannot connect",
        "wrong_password": "password authentication failed",
        "wrong_table": "no_such_table",
        "missing_column": "surface",
    }[case]
    assert any(expected in p.problem for p in errors), errors
    out = tmp_path / "problems.csv"
    assert main(["validate", str(folder), "--out", str(out), "--lang", "en"]) == 2
    captured = capsys.readouterr()
    for text in (captured.out, captured.err, out.read_text(encoding="utf-8"), str(report.problems)):
        assert PASSWORD not in text
    assert "roads" in captured.out + captured.err
    with pytest.raises(DataError) as raised:
        load_workspace(folder)
    assert PASSWORD not in str(raised.value) and "roads" in str(raised.value)


def _results(tag: str) -> dict[str, gpd.GeoDataFrame]:
    """Result layers as an export gives them: the sample's layers plus a computed table."""
    layers = {name: frame for name, frame in _raw_sample_layers().items() if name in ("communes", "roads")}
    communes = layers["communes"]
    layers["commune_status"] = gpd.GeoDataFrame(
        {
            "commune_code": communes["commune_code"],
            "tag": tag,
            "share": [i / 10 for i in range(len(communes))],
            "reached": [i % 2 == 0 for i in range(len(communes))],
            "count": pd.array(range(len(communes)), dtype="Int64"),
        },
        geometry=communes.geometry.centroid,
        crs=communes.crs,
    )
    return layers


def _read_schema(url: str, schema: str, names: list[str]) -> dict[str, gpd.GeoDataFrame]:
    return {
        name: read_postgis_layer(PostgisSource.from_entry(f"{url}#{schema}.{name}"), name=name).frame
        for name in names
    }


def test_sink_round_trip(postgis_server):  # noqa: F811
    written = _results("one")
    write_postgis(written, postgis_server.url, schema="ket_qua")
    read = _read_schema(postgis_server.url, "ket_qua", list(written))
    for name, frame in written.items():
        assert_geodataframe_equal(read[name], frame, check_dtype=False, check_like=True)


def test_two_writes_at_once_leave_one_complete_result(postgis_server):  # noqa: F811
    errors: list[BaseException] = []

    def export(tag: str) -> None:
        try:
            write_postgis(_results(tag), postgis_server.url, schema="ket_qua_dong_thoi")
        except BaseException as exc:  # noqa: BLE001 - the test reports it below
            errors.append(exc)

    threads = [threading.Thread(target=export, args=(tag,)) for tag in ("a", "b", "c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    read = _read_schema(postgis_server.url, "ket_qua_dong_thoi", ["communes", "roads", "commune_status"])
    assert read["commune_status"]["tag"].nunique() == 1
    assert len(read["roads"]) == len(_raw_sample_layers()["roads"])

    with psycopg.connect(postgis_server.url) as conn:
        left = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'ket_qua_dong_thoi%'"
        ).fetchall()
    assert left == [("ket_qua_dong_thoi",)]  # no half-written schema left behind


def test_a_failing_write_leaves_the_previous_results(postgis_server):  # noqa: F811
    write_postgis(_results("before"), postgis_server.url, schema="ket_qua_giu")
    broken = _results("after")
    # A text PostgreSQL cannot hold (NUL), in the last layer: the first ones are written by then.
    broken["commune_status"].loc[0, "tag"] = "a\x00b"
    with pytest.raises(DataError) as raised:
        write_postgis(broken, postgis_server.url, schema="ket_qua_giu")
    assert PASSWORD not in str(raised.value)
    assert "previous results are untouched" in str(raised.value)
    read = _read_schema(postgis_server.url, "ket_qua_giu", ["commune_status"])
    assert set(read["commune_status"]["tag"]) == {"before"}


def test_sink_refuses_bad_names_and_crs(postgis_server):  # noqa: F811
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs="EPSG:4326")
    with pytest.raises(DataError, match="not a plain PostgreSQL name"):
        write_postgis({"x": frame}, postgis_server.url, schema="ket qua; DROP")
    with pytest.raises(DataError, match="no EPSG code"):
        write_postgis({"x": frame.set_crs(None, allow_override=True)}, postgis_server.url, schema="k")
    bad = f"postgresql://ntmgis_test:{PASSWORD}@127.0.0.1:{_closed_port()}/ntmgis"
    with pytest.raises(DataError, match="cannot connect") as raised:
        write_postgis({"x": frame}, bad, schema="k")
    assert PASSWORD not in str(raised.value)


def test_export_postgis_writes_the_result_layers(postgis_server, tmp_path, capsys, monkeypatch):  # noqa: F811
    """`ntmgis export --postgis`: the same layers as result_layers, password from PGPASSWORD only."""
    from ntmgis.export import result_layers

    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    code = main(
        ["export", str(SAMPLE), "--postgis", postgis_server.url_without_password, "--schema", "ket_qua_cli"]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "ket_qua_cli" in out.out and PASSWORD not in out.out + out.err
    workspace = load_workspace(SAMPLE)
    expected = result_layers(workspace, assess(workspace))
    spatial = [name for name, frame in expected.items() if name != "provenance" and len(frame)]
    read = _read_schema(postgis_server.url, "ket_qua_cli", spatial)
    for name in spatial:
        assert len(read[name]) == len(expected[name]), name
        assert read[name].crs.equals(expected[name].crs), name
        assert set(expected[name].columns) - {expected[name].geometry.name} <= set(read[name].columns)
    with psycopg.connect(postgis_server.url) as conn:
        rows = conn.execute("SELECT count(*) FROM ket_qua_cli.provenance").fetchone()
        period = conn.execute("SELECT value FROM ket_qua_cli.provenance WHERE key = 'unit_period'").fetchone()
    assert rows == (len(expected["provenance"]),)
    assert period == ("2020-03",)  # the unit period, as in the GeoPackage (the same provenance function)


def test_export_postgis_with_a_password_in_the_url_never_prints_it(postgis_server, tmp_path, capsys):  # noqa: F811
    out_gpkg = tmp_path / "ket_qua.gpkg"
    code = main(["export", str(SAMPLE), "--gpkg", str(out_gpkg), "--postgis", postgis_server.url])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out_gpkg.exists() and PASSWORD not in out.out + out.err and "***" in out.out
