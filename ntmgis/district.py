"""The unit a workspace covers — huyện, thị xã, thành phố, quận, tỉnh or a set of communes — and
the words every output names it with (titles, the report's about sheet, default file names).

``workspace.yaml`` says ``district: {name: Việt Yên, province: Bắc Giang, kind: thi_xa}``. Without
``kind`` the prefix of the name decides ("Thị xã Việt Yên"), else ``huyen``; without a name, the
workspace's ``name:`` (itself the folder's name by default). The words are in
``ntmgis/catalogue/district.yaml``.

Examples
--------
>>> district_title({"name": "Thị xã Việt Yên", "province": "Bắc Giang"})
'Thị xã Việt Yên'
>>> district_title({"name": "Tân Yên"}, lang="en")
'Tân Yên district'
>>> district_slug({"name": "Thị xã Việt Yên", "kind": "thi_xa"})
'viet_yen'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Protocol

import pandas as pd

from .labels import words
from .names import fold_accents, name_key, strip_prefix

__all__ = [
    "DISTRICT_KINDS",
    "district_kind",
    "district_name",
    "district_slug",
    "district_title",
    "kind_code",
    "workspace_slug",
    "workspace_title",
]

#: Kinds of unit a workspace covers (``district: {kind: ...}``).
DISTRICT_KINDS = ("huyen", "thi_xa", "thanh_pho", "quan", "tinh", "xa_set")


def kind_code(value: object) -> str | None:
    """A kind written as a code or a word ("Thị xã", "thi xa", "thi_xa") as its code; else None.

    Examples
    --------
    >>> kind_code("Thị xã"), kind_code("huyen"), kind_code("county")
    ('thi_xa', 'huyen', None)
    """
    if value is None:
        return None
    key = name_key(str(value).replace("_", " "))
    for kind in DISTRICT_KINDS:
        if key in {
            name_key(kind.replace("_", " ")),
            *(name_key(words("district", lang)[f"word_{kind}"]) for lang in ("vi", "en")),
        }:
            return kind
    return None


def district_kind(district: Mapping[str, object]) -> str:
    """The kind code: ``kind`` if given, else the name's prefix, else ``huyen``."""
    given = kind_code(district.get("kind"))
    if given is not None:
        return given
    prefix, _ = strip_prefix(str(district.get("name") or ""))
    return prefix if prefix in DISTRICT_KINDS else "huyen"


def district_name(district: Mapping[str, object], fallback: str = "") -> str:
    """The unit's bare name ("Việt Yên" for "Thị xã Việt Yên"); ``fallback`` without a name.

    Examples
    --------
    >>> district_name({"name": "Thị xã Việt Yên"}), district_name({"name": "Các xã giáp Tân Yên"})
    ('Việt Yên', 'giáp Tân Yên')
    """
    name = str(district.get("name") or fallback or "").strip()
    prefix, rest = strip_prefix(name)
    if prefix is not None and prefix in DISTRICT_KINDS:
        return rest
    # "Các xã giáp Tân Yên" of a set of communes: the title writes "Các xã" itself (not "Các xã Các xã").
    parts = name.split()
    if len(parts) > 2 and name_key(" ".join(parts[:2])) == name_key(words("district", "vi")["word_xa_set"]):
        return " ".join(parts[2:])
    return name


def district_title(
    district: Mapping[str, object], *, fallback: str = "", communes: Sequence[str] = (), lang: str = "vi"
) -> str:
    """The unit with its kind: "Huyện Tân Yên", "Thị xã Việt Yên", "Các xã A, B, C, tỉnh Bắc Giang".

    Parameters
    ----------
    district : mapping
        ``workspace.yaml``'s ``district:`` (``name``, ``province``, ``kind``).
    fallback : str
        Name when ``district`` has none (the workspace's name).
    communes : sequence of str
        Commune names, for a set of communes without a name (the first three are written).
    lang : {"vi", "en"}

    Examples
    --------
    >>> district_title({"kind": "xa_set", "province": "Bắc Giang"}, communes=["An Dương", "Lam Cốt"])
    'Các xã An Dương, Lam Cốt, tỉnh Bắc Giang'
    """
    w = words("district", lang)
    kind = district_kind(district)
    name = district_name(district, "" if kind == "xa_set" and communes else fallback)
    if kind == "xa_set" and not name:
        name = ", ".join(communes[:3]) + (", …" if len(communes) > 3 else "")
    title = w[f"title_{kind}"].format(name=name)
    province = str(district.get("province") or "").strip()
    if kind == "xa_set" and province:
        _, bare = strip_prefix(province)
        title = w["in_province"].format(title=title, province=bare)
    return title


def district_slug(district: Mapping[str, object], fallback: str = "") -> str:
    """ASCII file-name stem of the unit's name: "Tân Yên" → ``tan_yen``; ``ntmgis`` when empty.

    Examples
    --------
    >>> district_slug({}, "Cần Thơ 2024")
    'can_tho_2024'
    """
    slug = re.sub(r"[^a-z0-9]+", "_", fold_accents(district_name(district, fallback)).lower()).strip("_")
    return slug or "ntmgis"


class _Named(Protocol):
    """What the titles read of a :class:`~ntmgis.workspace.Workspace`."""

    @property
    def name(self) -> str: ...

    @property
    def district(self) -> Mapping[str, str]: ...

    def layer(self, name: str) -> pd.DataFrame: ...


def workspace_title(workspace: _Named, *, lang: str = "vi") -> str:
    """:func:`district_title` of a workspace: its ``district:``, else its ``name:`` or folder.

    Examples
    --------
    >>> import ntmgis
    >>> workspace_title(ntmgis.load_workspace())
    'Huyện Tân Yên'
    """
    district = workspace.district
    communes: list[str] = []
    if district_kind(district) == "xa_set" and not district.get("name"):
        names = workspace.layer("communes")["name"]
        communes = [strip_prefix(n)[1] for n in names.dropna().astype(str)]
        return district_title(district, communes=communes, lang=lang)
    return district_title(district, fallback=workspace.name, lang=lang)


def workspace_slug(workspace: _Named) -> str:
    """:func:`district_slug` of a workspace (``tan_yen`` for the sample).

    Examples
    --------
    >>> import ntmgis
    >>> workspace_slug(ntmgis.load_workspace())
    'tan_yen'
    """
    return district_slug(workspace.district, workspace.name)
