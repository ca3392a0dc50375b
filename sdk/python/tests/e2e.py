"""The SDK against a real server (run by api/tests/api/sdk.rs, which starts one):
ZIMAGE_BASE_URL=http://127.0.0.1:PORT ZIMAGE_TOKEN=zimg_… python3 tests/e2e.py"""

import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from zimage import ZImage, ZImageError  # noqa: E402
from zimage.client.api.generation import models_list  # noqa: E402

client = ZImage(os.environ["ZIMAGE_BASE_URL"], os.environ["ZIMAGE_TOKEN"])

# Every operation is reachable through the generated functions, typed.
models = models_list.sync(client=client.api)
assert any(m.id == "z-image-local" for m in models.items)

request = {"model": "z-image-local", "prompt": "a glass lighthouse", "width": 256, "height": 256, "metadata": {"order": "A-17"}}
task = client.generate(request, idempotency_key="sdk-e2e-py")
assert str(task.status) == "queued"
assert client.generate(request, idempotency_key="sdk-e2e-py").id == task.id, "one key, one task"
done = client.wait(str(task.id), interval=0.2, timeout=60)
assert str(done.status) == "succeeded", done.status
assert done.metadata.to_dict() == {"order": "A-17"}
assert len(client.download(done.images[0].url)) > 100

live = client.generate({"model": "z-image-local", "prompt": "followed live", "width": 256, "height": 256})
statuses = [str(e.status) for e in client.events(str(live.id))]
assert statuses[-1] == "succeeded", statuses

try:
    client.generate({"model": "z-image-local", "prompt": ""})
    raise AssertionError("should have been refused")
except ZImageError as err:
    assert err.status == 422 and err.code == "validation_failed", (err.status, err.code)
    assert err.errors.get("prompt"), err.errors
    assert err.request_id
print("python sdk: ok")
