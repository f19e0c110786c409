"""OWSLib's WebCoverageService against Relief: capabilities, a description and a coverage."""
import json
import sys

from owslib.wcs import WebCoverageService

url = sys.argv[1]
result = {}

wcs = WebCoverageService(url, version="2.0.1")
coverage = wcs.getCoverage(
    identifier=["terrain"],
    format="image/tiff",
    subsets=[("Long", 7.2, 7.8), ("Lat", 46.2, 46.8)],
)
data = coverage.read()
result["2.0.1"] = {
    "coverages": sorted(wcs.contents.keys()),
    "tiff_bytes": len(data),
    "is_tiff": data[:2] in (b"II", b"MM"),
}

wcs1 = WebCoverageService(url, version="1.0.0")
coverage1 = wcs1.getCoverage(
    identifier="terrain",
    bbox=(7.2, 46.2, 7.8, 46.8),
    crs="EPSG:4326",
    format="GeoTIFF",
    width=60,
    height=60,
)
data1 = coverage1.read()
result["1.0.0"] = {
    "coverages": sorted(wcs1.contents.keys()),
    "tiff_bytes": len(data1),
    "is_tiff": data1[:2] in (b"II", b"MM"),
}
print(json.dumps(result))
