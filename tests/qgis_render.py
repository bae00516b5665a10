"""Open a GeoPackage in headless QGIS, load each layer's default style from it and render it once.

Run by tests/test_export_gpkg.py with Debian's ``/usr/bin/python3`` (``python3-qgis``), never
imported by pytest. Usage: ``python3 qgis_render.py FILE.gpkg OUT_DIR LAYER...``; prints one JSON
object: per layer, whether it is valid, its feature count, where its style came from, the renderer
type and field, whether labels are on, and the share of non-background pixels of its PNG.
"""

import json
import os
import sys

# QGIS is imported inside the functions: pytest's --doctest-modules imports this file with the
# project's Python, which has no QGIS.


def render(path, out, name):
    from qgis.core import QgsMapRendererSequentialJob, QgsMapSettings, QgsVectorLayer
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    white = QColor(255, 255, 255)
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    found = {"valid": layer.isValid(), "features": layer.featureCount()}
    message, loaded = layer.loadDefaultStyle()
    renderer = layer.renderer()
    found.update(
        style=message if loaded else None,
        renderer=renderer.type(),
        field=renderer.classAttribute() if hasattr(renderer, "classAttribute") else None,
        categories=len(renderer.categories()) if hasattr(renderer, "categories") else 0,
        labels=layer.labelsEnabled(),
    )
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(layer.extent())
    settings.setOutputSize(QSize(400, 300))
    settings.setBackgroundColor(white)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    png = os.path.join(out, f"{name}.png")
    image.save(png)
    background = white.rgb()
    pixels = [image.pixel(x, y) for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)]
    found.update(png=png, drawn=sum(p != background for p in pixels) / len(pixels), colours=len(set(pixels)))
    return found


def main(argv):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication

    path, out, names = argv[1], argv[2], argv[3:]
    app = QgsApplication([], False)
    app.initQgis()
    try:
        print(json.dumps({name: render(path, out, name) for name in names}))
    finally:
        app.exitQgis()


if __name__ == "__main__":
    main(sys.argv)
