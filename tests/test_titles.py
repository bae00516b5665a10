"""Titles, file names and labels come from the workspace (district: {name, province, kind}), never a
hard-coded "Tân Yên" or "Huyện": read from the written map (in Chromium) and report."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from ntmgis.cli import main
from ntmgis.datasets import get_path
from ntmgis.district import district_kind, district_slug, district_title, kind_code

# (A threshold source may cite the plan it borrowed a number from by its id, tan_yen_2021_2025.)
LEAKS = ("Tân Yên", "Huyện")


@pytest.mark.parametrize(
    ("district", "vi", "en", "slug"),
    [
        ({"name": "Tân Yên", "kind": "huyen"}, "Huyện Tân Yên", "Tân Yên district", "tan_yen"),
        ({"name": "Việt Yên", "kind": "thi_xa"}, "Thị xã Việt Yên", "Việt Yên town", "viet_yen"),
        ({"name": "Thị xã Việt Yên"}, "Thị xã Việt Yên", "Việt Yên town", "viet_yen"),
        (
            {"name": "TP. Bắc Giang", "kind": "Thành phố"},
            "Thành phố Bắc Giang",
            "Bắc Giang city",
            "bac_giang",
        ),
        ({"name": "Ninh Kiều", "kind": "quan"}, "Quận Ninh Kiều", "Ninh Kiều urban district", "ninh_kieu"),
        ({"name": "Bắc Giang", "kind": "tinh"}, "Tỉnh Bắc Giang", "Bắc Giang province", "bac_giang"),
        (
            {"name": "Nam Tân Yên", "kind": "xa_set", "province": "Bắc Giang"},
            "Các xã Nam Tân Yên, tỉnh Bắc Giang",
            "Communes Nam Tân Yên, Bắc Giang province",
            "nam_tan_yen",
        ),
    ],
)
def test_district_titles(district: dict[str, str], vi: str, en: str, slug: str) -> None:
    assert district_title(district) == vi
    assert district_title(district, lang="en") == en
    assert district_slug(district) == slug


def test_without_a_name_the_workspace_name_then_the_commune_list() -> None:
    assert district_title({}, fallback="Đoàn công tác 2024") == "Huyện Đoàn công tác 2024"
    assert district_slug({}, "Đoàn công tác 2024") == "doan_cong_tac_2024"
    assert (
        district_title({"kind": "xa_set", "province": "Tỉnh Bắc Giang"}, communes=["A", "B", "C", "D"])
        == "Các xã A, B, C, …, tỉnh Bắc Giang"
    )
    assert kind_code("thi xa") == "thi_xa" and kind_code("District") == "huyen" and kind_code("x") is None
    assert district_kind({"kind": "nonsense", "name": "Quận Ba Đình"}) == "quan"


def test_the_sample_keeps_its_title_and_file_names(sample_workspace: Any, sample_assessment: Any) -> None:
    from ntmgis.maps.panels import planner_title

    assert planner_title(sample_workspace, sample_assessment) == (
        "Huyện Tân Yên — bản đồ xây dựng nông thôn mới, đánh giá năm 2023"
    )
    assert planner_title(sample_workspace, sample_assessment, lang="en") == (
        "Tân Yên district — New Rural Development map, assessed 2023"
    )


@pytest.fixture(scope="module")
def viet_yen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's layers as "Thị xã Việt Yên" with a plan of its own, outputs written by the CLI
    with its default paths (cwd = the folder)."""
    root = tmp_path_factory.mktemp("viet_yen")
    shutil.copytree(get_path("tan_yen"), root, dirs_exist_ok=True)
    (root / "README.md").unlink()
    text = resources.files("ntmgis").joinpath("plans", "tan_yen_2021_2025.yaml").read_text(encoding="utf-8")
    for old, new in (
        ("Tân Yên", "Việt Yên"),
        ("tan_yen", "viet_yen"),
        ("Huyện", "Thị xã"),
        ("huyện", "thị xã"),
    ):
        text = text.replace(old, new)
    (root / "plan.yaml").write_text(text, encoding="utf-8")
    config = yaml.safe_load((root / "workspace.yaml").read_text(encoding="utf-8"))
    for key in ("sample", "sample_note", "provenance"):
        config.pop(key)
    config |= {
        "name": "Thị xã Việt Yên",
        "district": {"name": "Việt Yên", "province": "Bắc Giang", "kind": "thi_xa"},
        "plan": "plan.yaml",
    }
    (root / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.chdir(root)
    try:
        assert main(["map", "."]) == 0
        assert main(["report", "."]) == 0
    finally:
        mp.undo()
    return root


def test_outputs_are_named_after_the_workspace(viet_yen: Path) -> None:
    assert (viet_yen / "out" / "viet_yen_map.html").is_file()
    assert (viet_yen / "out" / "viet_yen_report.xlsx").is_file()
    assert not list((viet_yen / "out").glob("tan_yen*"))


def test_the_map_says_thi_xa_viet_yen(viet_yen: Path, open_map: Any) -> None:
    path = viet_yen / "out" / "viet_yen_map.html"
    page, _, _, page_errors = open_map(path)
    assert page.title() == "Thị xã Việt Yên — bản đồ xây dựng nông thôn mới, đánh giá năm 2023"
    assert not page_errors
    body = page.content()
    html = path.read_text(encoding="utf-8")
    for word in LEAKS:
        assert word not in html and word not in body, word


def test_the_report_says_thi_xa(viet_yen: Path) -> None:
    book = openpyxl.load_workbook(viet_yen / "out" / "viet_yen_report.xlsx", read_only=True)
    cells = [
        str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None
    ]
    found = {word: [c for c in cells if word in c][:3] for word in LEAKS}
    assert not any(found.values()), found
    assert "Thị xã" in cells and "Thị xã NTM nâng cao" in cells
    for csv in (viet_yen / "out" / "viet_yen_report_csv").glob("*.csv"):
        text = csv.read_text(encoding="utf-8-sig")
        assert not [w for w in LEAKS if w in text], csv.name


def test_a_commune_set_without_a_name_lists_its_communes(sample_workspace: Any) -> None:
    from ntmgis.district import workspace_title

    title = workspace_title(_Fake(sample_workspace, {"kind": "xa_set", "province": "Bắc Giang"}))
    assert title.startswith("Các xã ") and title.endswith(", …, tỉnh Bắc Giang")
    assert "Xã" not in title


class _Fake:
    """A workspace stand-in with another ``district:`` (a Workspace is frozen)."""

    def __init__(self, ws: Any, district: dict[str, str]) -> None:
        self.name = ws.name
        self.district = district
        self.layer = ws.layer


def test_an_unknown_kind_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    from ntmgis.problems import DataError
    from ntmgis.workspace import load_workspace

    root = tmp_path / "d"
    shutil.copytree(get_path("tan_yen"), root)
    config = yaml.safe_load((root / "workspace.yaml").read_text(encoding="utf-8"))
    config["district"]["kind"] = "county"
    (root / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError, match="unknown kind 'county'") as caught:
        load_workspace(root)
    assert "thi_xa" in caught.value.problems[0].action


def test_the_sample_default_paths_are_unchanged(sample_workspace: Any) -> None:
    from ntmgis.cli import _default_out

    assert _default_out(None, sample_workspace, "map.html") == Path("out/tan_yen_map.html")
    assert _default_out(None, sample_workspace, "report.xlsx") == Path("out/tan_yen_report.xlsx")
    assert _default_out(Path("x.html"), sample_workspace, "map.html") == Path("x.html")
