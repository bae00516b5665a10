"""The province's unit prices instead of the packaged assumption: a file read and checked, given in
workspace.yaml or on the command line, priced into the upgrade layer and said in the provenance."""

from __future__ import annotations

import shutil

import openpyxl
import pytest
import yaml

from ntmgis.assessment import assess
from ntmgis.cli import main
from ntmgis.io import read_unit_costs
from ntmgis.problems import DataError
from ntmgis.workspace import inspect_workspace, load_workspace, sample_workspace_path

ROADS = (
    "road_class,target_surface,million_vnd_per_km,note\n"
    "Đường trục thôn,Bê tông,2600,QĐ giá tỉnh 2024\nĐường xã,BTXM,4000,\nngo_xom,be_tong,1500,\n"
    "Đường nội đồng,Bê tông,1800,\nlien_thon,be_tong,3000,\n"
)


def test_labels_are_read_as_codes_and_rows_are_the_users_prices(tmp_path):
    path = tmp_path / "don_gia.csv"
    path.write_text(ROADS, encoding="utf-8")
    table = read_unit_costs(path, "roads").frame
    assert table["road_class"].tolist() == ["truc_thon", "xa", "ngo_xom", "noi_dong", "lien_thon"]
    assert set(table["target_surface"]) == {"be_tong"}
    assert not table["assumption"].any()


def test_every_mistake_is_listed_in_one_error(tmp_path):
    path = tmp_path / "sai.csv"
    path.write_text(
        "road_class,target_surface,million_vnd_per_km\nĐường làng,Bê tông,abc\n"
        "xa,be_tong,100\nxa,be_tong,200\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        read_unit_costs(path, "roads")
    text = " ".join(p.problem for p in info.value.problems)
    assert "'Đường làng'" in text and "not a number" in text and "priced twice" in text
    (tmp_path / "thieu.csv").write_text("road_class,million_vnd_per_km\nxa,1\n", encoding="utf-8")
    with pytest.raises(DataError, match="target_surface"):
        read_unit_costs(tmp_path / "thieu.csv", "roads")


def test_workspace_prices_the_upgrade_layer_and_the_provenance_says_so(tmp_path, sample_assessment):
    shutil.copytree(sample_workspace_path().parent, tmp_path / "ws")
    (tmp_path / "ws" / "don_gia.csv").write_text(ROADS, encoding="utf-8")
    config_path = tmp_path / "ws" / "workspace.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["unit_costs"] = {"roads": "don_gia.csv"}
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    workspace = load_workspace(config_path)
    priced = assess(workspace)
    upgrade = priced.segments_to_upgrade
    thon = upgrade[upgrade["road_class"] == "truc_thon"]
    assert (thon["million_vnd_per_km"] == 2600.0).all()
    assert thon["cost_million_vnd"].sum() == pytest.approx(thon["length_km"].sum() * 2600.0)
    assert not priced.provenance.unit_costs_assumed and sample_assessment.provenance.unit_costs_assumed
    # The CLI flag wins over the workspace; a bad file is exit 2 with the problem named.
    book = tmp_path / "bao_cao.xlsx"
    (tmp_path / "khac.csv").write_text(ROADS.replace("2600", "9999"), encoding="utf-8")
    other = ["--unit-costs", str(tmp_path / "khac.csv")]
    assert main(["report", str(config_path), "-o", str(book), *other]) == 0
    sheet = openpyxl.load_workbook(book)["Đoạn cần nâng cấp"]
    assert 9999 in {row[6] for row in sheet.iter_rows(min_row=4, values_only=True)}
    config["unit_costs"] = {"roads": "khong_co.csv"}
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    assert inspect_workspace(config_path)[0] is None
