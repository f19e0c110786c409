"""OWSLib's WebFeatureService against Relief: capabilities and features, GeoJSON and GML."""
import json
import sys

from owslib.wfs import WebFeatureService

url = sys.argv[1]
result = {}
for version in ("2.0.0", "1.1.0"):
    wfs = WebFeatureService(url, version=version)
    response = wfs.getfeature(typename=["lakes"], outputFormat="application/json")
    collection = json.loads(response.read())
    gml = wfs.getfeature(typename=["lakes"]).read()
    if isinstance(gml, bytes):
        gml = gml.decode("utf-8")
    result[version] = {
        "types": sorted(wfs.contents.keys()),
        "features": len(collection["features"]),
        "names": sorted(f["properties"]["name"] for f in collection["features"]),
        "gml_has_features": "Thunersee" in gml,
    }
print(json.dumps(result))
