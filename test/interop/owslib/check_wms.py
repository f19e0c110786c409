"""OWSLib's WebMapService against Relief: reads the capabilities and fetches a map."""
import json
import sys

from owslib.wms import WebMapService

url = sys.argv[1]
result = {}
for version in ("1.3.0", "1.1.1"):
    wms = WebMapService(url, version=version)
    crs_param = "EPSG:4326"
    bbox = (7.0, 46.0, 9.0, 48.0)
    image = wms.getmap(
        layers=["terrain"],
        styles=["hillshade"],
        srs=crs_param,
        bbox=bbox,
        size=(128, 128),
        format="image/png",
        transparent=True,
    )
    data = image.read()
    result[version] = {
        "title": wms.identification.title,
        "layers": sorted(wms.contents.keys()),
        "terrain_bbox": list(wms.contents["terrain"].boundingBoxWGS84),
        "map_bytes": len(data),
        "map_is_png": data[:8] == b"\x89PNG\r\n\x1a\n",
    }
print(json.dumps(result))
